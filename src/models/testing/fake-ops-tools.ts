/**
 * @module An in-process {@link ToolExecutor} for the offline planner's tests: the built-in CRM and email tools
 * with their real schemas, plus decoys (notes, issues, customer search, orders) so tool ranking is exercised.
 * It records every call. Not exported from the package; tests import it directly from `models/testing/`.
 */
import type { ToolExecutor, ToolOutcome, ToolSpec } from '../../contracts/index.js';

interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
}

const CUSTOMERS: readonly Customer[] = [
  { customerId: 'C-1001', name: 'Lisa Park', email: 'lisa.park@example.com' },
  { customerId: 'C-1002', name: 'Omar Haddad', email: 'omar.haddad@example.com' },
];
const ORDERS: ReadonlyMap<string, { customerId: string; items: string; status: string }> = new Map([
  ['XYZ-789', { customerId: 'C-1001', items: '14k gold ring (SKU-RING-001)', status: 'shipped' }],
  ['XYZ-790', { customerId: 'C-1002', items: 'silver necklace (SKU-NECK-002)', status: 'processing' }],
]);

/** The catalog as the MCP host would offer it (`server__tool` names). */
export const OPS_TOOL_SPECS: readonly ToolSpec[] = [
  {
    name: 'notes__add_note',
    description: 'Add an internal note to a customer or an order.',
    inputSchema: {
      type: 'object',
      properties: {
        entity_id: { type: 'string', description: 'Customer id (C-1001) or order id (XYZ-789)' },
        text: { type: 'string', description: 'The note' },
      },
      required: ['entity_id', 'text'],
    },
    annotations: { readOnlyHint: false, destructiveHint: false },
  },
  {
    name: 'crm__search_customers',
    description: 'Search customers by name, email or customer id.',
    inputSchema: {
      type: 'object',
      properties: { query: { type: 'string', description: 'Name, email or id fragment' } },
      required: ['query'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'email__sendShippingConfirmation',
    description: 'Send the customer a shipping confirmation email for an order.',
    inputSchema: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email', description: 'Recipient email address' },
        order_details: { type: 'string', description: 'What shipped: order id, items, carrier/tracking' },
      },
      required: ['email', 'order_details'],
    },
    annotations: { readOnlyHint: false, openWorldHint: true },
  },
  {
    name: 'issues__create_issue',
    description: 'Create an issue in the tracker for a problem that needs follow-up.',
    inputSchema: {
      type: 'object',
      properties: {
        title: { type: 'string', description: 'Short summary' },
        description: { type: 'string', description: 'What happened' },
        priority: { type: 'string', enum: ['low', 'medium', 'high'] },
      },
      required: ['title', 'description'],
    },
    annotations: { readOnlyHint: false },
  },
  {
    name: 'crm__getCustomerEmail',
    description: 'Look up the email address of the customer who placed an order.',
    inputSchema: {
      type: 'object',
      properties: { order_id: { type: 'string', description: 'Order id, e.g. XYZ-789' } },
      required: ['order_id'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'orders__get_order',
    description: 'Get an order: its items, status and customer id.',
    inputSchema: {
      type: 'object',
      properties: { order_id: { type: 'string', description: 'Order id, e.g. XYZ-789' } },
      required: ['order_id'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'orders__list_orders',
    description: 'List orders, newest first, optionally filtered by status or customer.',
    inputSchema: {
      type: 'object',
      properties: { status: { type: 'string' }, customer_id: { type: 'string' } },
    },
    annotations: { readOnlyHint: true },
  },
];

type Handler = (input: Record<string, unknown>) => ToolOutcome;

function ok(value: unknown): ToolOutcome {
  return { isError: false, text: JSON.stringify(value) };
}

function unknownOrder(orderId: unknown): ToolOutcome {
  return { isError: true, text: `No order ${String(orderId)}. Known orders look like XYZ-789.` };
}

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  [
    'crm__getCustomerEmail',
    (input) => {
      const order = ORDERS.get(String(input.order_id));
      const customer = CUSTOMERS.find((candidate) => candidate.customerId === order?.customerId);
      if (!order || !customer) return unknownOrder(input.order_id);
      return ok({
        order_id: input.order_id,
        customer_id: customer.customerId,
        customer_name: customer.name,
        email: customer.email,
      });
    },
  ],
  [
    'email__sendShippingConfirmation',
    (input) => ({
      isError: false,
      text: `Shipping confirmation sent to ${String(input.email)} (message id msg_0001).`,
    }),
  ],
  [
    'orders__get_order',
    (input) => {
      const order = ORDERS.get(String(input.order_id));
      return order
        ? ok({ order_id: input.order_id, customer_id: order.customerId, items: order.items, status: order.status })
        : unknownOrder(input.order_id);
    },
  ],
  [
    'crm__search_customers',
    (input) => {
      const query = String(input.query).toLowerCase();
      return ok(
        CUSTOMERS.filter((customer) =>
          `${customer.customerId} ${customer.name} ${customer.email}`.toLowerCase().includes(query),
        ).map((customer) => ({ customer_id: customer.customerId, name: customer.name, email: customer.email })),
      );
    },
  ],
  [
    'orders__list_orders',
    () => ok({ orders: [...ORDERS.entries()].map(([orderId, order]) => ({ order_id: orderId, customer_id: order.customerId, status: order.status })) }),
  ],
  ['notes__add_note', (input) => ok({ note_id: 'N-1', entity_id: input.entity_id, text: input.text })],
  ['issues__create_issue', (input) => ok({ issue_id: 'ISS-43', title: input.title })],
]);

/** One recorded call. */
export interface RecordedCall {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** A {@link ToolExecutor} over {@link OPS_TOOL_SPECS} that records its calls in `calls`. */
export class FakeOpsTools implements ToolExecutor {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly tools: readonly ToolSpec[] = OPS_TOOL_SPECS) {}

  specs(): readonly ToolSpec[] {
    return this.tools;
  }

  address(modelToolName: string): { server: string; tool: string } | undefined {
    const [server, tool] = modelToolName.split('__');
    return server && tool && this.tools.some((spec) => spec.name === modelToolName) ? { server, tool } : undefined;
  }

  async call(modelToolName: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    this.calls.push({ name: modelToolName, input });
    const handler = HANDLERS.get(modelToolName);
    if (!handler || !this.tools.some((spec) => spec.name === modelToolName)) {
      return { isError: true, text: `Unknown tool ${modelToolName}.` };
    }
    return handler(input);
  }
}
