import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CrmDatabase } from './tables.js';
import { IdempotencyKeySchema } from '../shared/idempotency.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { guarded, ok, toolError } from '../shared/tool-result.js';
import { CustomerStore } from './customer-store.js';
import { customerLine, renderPage, renderProfile, renderUpdate } from './render.js';
import {
  CUSTOMER_TIERS,
  CustomerIdSchema,
  CustomerProfileSchema,
  CustomerSummarySchema,
  EmailAddressSchema,
  MAX_QUERY_LENGTH,
  MIN_QUERY_LENGTH,
  normaliseCustomerId,
  PhoneSchema,
  ShortTextSchema,
  UpdateResultSchema,
} from './schemas.js';
import { updateCustomer } from './update-customer.js';

export const ORDER_ID_SCHEMA = z.string().trim().min(1).max(64).describe('Order id, e.g. XYZ-789');

// Every read here acts only on Deckhand's own store: a closed world.
const READ_ONLY = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;
const CustomerPageSchema = z.object({ customers: z.array(CustomerSummarySchema), next_cursor: NextCursorSchema });

/**
 * The CRM MCP server: customers (look up, list, search, update) and who placed which order. Reads are
 * read-only and paginated by customer id; `update_customer` overwrites fields, at most once per idempotency key.
 */
export function createCrmServer(db: Kysely<CrmDatabase>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-crm', version }, { capabilities: { tools: {} } });
  const customers = new CustomerStore(db);

  server.registerTool(
    'get_customer',
    {
      title: 'Get a customer',
      description:
        'Look up one customer by id (e.g. C-1001): name, email, phone, city, tier (standard or vip), how many orders ' +
        'they placed and their lifetime value. To find a customer by name, email or phone, use search_customers.',
      inputSchema: z.object({ customer_id: CustomerIdSchema }),
      outputSchema: CustomerProfileSchema,
      annotations: READ_ONLY,
    },
    guarded('get_customer', async ({ customer_id }) => {
      const profile = await customers.profile(normaliseCustomerId(customer_id));
      return ok(renderProfile(profile), profile);
    }),
  );

  server.registerTool(
    'list_customers',
    {
      title: 'List customers',
      description:
        'List customers in id order, optionally only one tier or one city. Paginated: pass next_cursor back as cursor ' +
        'for the next page.',
      inputSchema: z.object({
        tier: z.enum(CUSTOMER_TIERS).optional().describe('Only customers of this tier'),
        city: ShortTextSchema.optional().describe('Only customers in this city (whole name, any case), e.g. Austin'),
        ...PageInputShape,
      }),
      outputSchema: CustomerPageSchema,
      annotations: READ_ONLY,
    },
    guarded('list_customers', async ({ tier, city, cursor, limit }) => {
      const page = await customers.list({ tier, city }, { cursor, limit });
      const filters = [tier && `tier ${tier}`, city && `city ${city}`].filter(Boolean).join(', ');
      return ok(renderPage(page, filters ? `No customers with ${filters}.` : 'No customers.'), page);
    }),
  );

  server.registerTool(
    'search_customers',
    {
      title: 'Search customers',
      description:
        'Find customers whose name, email or phone contains the query (partial, case-insensitive), e.g. "Lisa Par", ' +
        '"@example.com" or "555-0101". Results are in id order and paginated; more than one customer may match, so ' +
        'check the id before acting on one.',
      inputSchema: z.object({
        query: z
          .string()
          .trim()
          .min(MIN_QUERY_LENGTH)
          .max(MAX_QUERY_LENGTH)
          .describe(`Part of a name, email or phone (${MIN_QUERY_LENGTH}-${MAX_QUERY_LENGTH} characters)`),
        ...PageInputShape,
      }),
      outputSchema: CustomerPageSchema.extend({ query: z.string() }),
      annotations: READ_ONLY,
    },
    guarded('search_customers', async ({ query, cursor, limit }) => {
      const page = await customers.search(query, { cursor, limit });
      const empty = `No customer's name, email or phone contains "${query}". Try a shorter part of it, or list_customers.`;
      return ok(renderPage(page, empty), { query, ...page });
    }),
  );

  server.registerTool(
    'getCustomerEmail',
    {
      title: 'Get customer email for an order',
      description:
        'Look up the email address of the customer who placed an order. Returns the customer id, name and email.',
      inputSchema: z.object({ order_id: ORDER_ID_SCHEMA }),
      outputSchema: z.object({
        order_id: z.string(),
        customer_id: z.string(),
        customer_name: z.string(),
        email: z.string(),
      }),
      annotations: READ_ONLY,
    },
    guarded('getCustomerEmail', async ({ order_id }) => {
      const orderId = order_id.toUpperCase();
      const contact = await customers.contactForOrder(orderId);
      if (!contact) {
        const similar = await customers.similarOrderIds(orderId);
        return toolError(
          `No order ${orderId}.${similar.length ? ` Did you mean ${similar.join(', ')}?` : ''} Check the order id and try again.`,
        );
      }
      return ok(
        `${contact.email} (${contact.customerName}, customer ${contact.customerId}, order ${contact.orderId})`,
        {
          order_id: contact.orderId,
          customer_id: contact.customerId,
          customer_name: contact.customerName,
          email: contact.email,
        },
      );
    }),
  );

  server.registerTool(
    'update_customer',
    {
      title: 'Update a customer',
      description:
        "Change a customer's name, email, phone, city or tier; pass only the fields to change (phone or city null " +
        'clears them). Overwrites the old values and returns each changed field before and after. Use an ' +
        'idempotency_key so a retried call changes nothing twice.',
      inputSchema: z.object({
        customer_id: CustomerIdSchema,
        name: ShortTextSchema.optional().describe('New full name'),
        email: EmailAddressSchema.optional().describe('New email address'),
        phone: PhoneSchema.nullable().optional().describe('New phone, e.g. +1-415-555-0101; null clears it'),
        city: ShortTextSchema.nullable().optional().describe('New city; null clears it'),
        tier: z.enum(CUSTOMER_TIERS).optional().describe('New tier'),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: UpdateResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('update_customer', async ({ customer_id, idempotency_key, ...changes }) => {
      const result = await updateCustomer(db, {
        customerId: normaliseCustomerId(customer_id),
        changes,
        idempotencyKey: idempotency_key,
      });
      return ok(`${renderUpdate(result)}\n${customerLine(result.customer)}`, result);
    }),
  );

  return server;
}
