import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../store/schema.js';
import { ok, toolError } from '../shared/tool-result.js';
import { CustomerStore } from './customer-store.js';

export const ORDER_ID_SCHEMA = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('Order id, e.g. XYZ-789');

/** The CRM MCP server: customers and who placed which order. */
export function createCrmServer(db: Kysely<Database>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-crm', version }, { capabilities: { tools: {} } });
  const customers = new CustomerStore(db);

  server.registerTool(
    'getCustomerEmail',
    {
      title: 'Get customer email for an order',
      description: 'Look up the email address of the customer who placed an order. Returns the customer id, name and email.',
      inputSchema: z.object({ order_id: ORDER_ID_SCHEMA }),
      outputSchema: z.object({
        order_id: z.string(),
        customer_id: z.string(),
        customer_name: z.string(),
        email: z.string(),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ order_id }) => {
      const orderId = order_id.toUpperCase();
      const contact = await customers.contactForOrder(orderId);
      if (!contact) {
        const similar = await customers.similarOrderIds(orderId);
        return toolError(
          `No order ${orderId}.${similar.length ? ` Did you mean ${similar.join(', ')}?` : ''} Check the order id and try again.`,
        );
      }
      return ok(`${contact.email} (${contact.customerName}, customer ${contact.customerId}, order ${contact.orderId})`, {
        order_id: contact.orderId,
        customer_id: contact.customerId,
        customer_name: contact.customerName,
        email: contact.email,
      });
    },
  );

  return server;
}
