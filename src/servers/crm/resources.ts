import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CrmDatabase } from './tables.js';
import { embeddedJson, jsonResource, registerRecordTemplate, unknownArgument } from '../shared/resource-content.js';

const DIRECTORY_LIMIT = 500;

/** The customer directory: every customer with an order count, by name. */
async function customerDirectory(db: Kysely<CrmDatabase>) {
  return db
    .selectFrom('customers')
    .leftJoin('orders', 'orders.customer_id', 'customers.id')
    .select(({ fn }) => [
      'customers.id',
      'customers.name',
      'customers.email',
      'customers.tier',
      'customers.city',
      fn.count<number>('orders.id').as('order_count'),
    ])
    .groupBy(['customers.id', 'customers.name', 'customers.email', 'customers.tier', 'customers.city'])
    .orderBy('customers.name')
    .limit(DIRECTORY_LIMIT)
    .execute();
}

/** One customer with their orders, newest first; undefined when there is no such customer. */
export async function customerProfile(db: Kysely<CrmDatabase>, customerId: string) {
  const customer = await db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
  if (!customer) return undefined;
  const orders = await db
    .selectFrom('orders')
    .select(['id', 'status', 'total_cents', 'refunded_cents', 'carrier', 'tracking_number', 'created_at', 'shipped_at'])
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .execute();
  return { ...customer, orders };
}

/** CRM: `crm://customers` (directory), `crm://customers/{customer_id}` (profile), prompt `customer_summary`. */
export function registerCrmResources(server: McpServer, db: Kysely<CrmDatabase>): void {
  server.registerResource(
    'customers',
    'crm://customers',
    {
      title: 'Customer directory',
      description: `Every customer (up to ${DIRECTORY_LIMIT}) by name: id, name, email, tier, city and how many orders they placed.`,
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await customerDirectory(db)),
  );

  registerRecordTemplate(server, {
    name: 'customer',
    template: 'crm://customers/{customer_id}',
    variable: 'customer_id',
    title: 'Customer profile',
    description: 'One customer (e.g. crm://customers/C-1001): contact details, tier, and their orders newest first.',
    what: 'customer',
    hint: 'See crm://customers for the ids.',
    load: (id) => customerProfile(db, id),
  });

  server.registerPrompt(
    'customer_summary',
    {
      title: 'Summarize a customer',
      description:
        'Brief a support agent on one customer: who they are, their orders and anything that needs attention (unshipped, refunded, cancelled).',
      argsSchema: z.object({ customer_id: z.string().trim().min(1).max(64).describe('Customer id, e.g. C-1001') }),
    },
    async ({ customer_id }) => {
      const customerId = customer_id.toUpperCase();
      const profile = await customerProfile(db, customerId);
      if (!profile) unknownArgument(`No customer ${customerId}. Read crm://customers for the customer ids.`);
      return {
        description: `Summary of customer ${profile.name} (${customerId})`,
        messages: [
          { role: 'user', content: embeddedJson(`crm://customers/${customerId}`, profile) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Summarize customer ${profile.name} (${customerId}) for a support agent in a few lines: tier and how to reach them, ` +
                'how many orders and what they spent, and any order that needs attention (pending or paid but not shipped, ' +
                'cancelled, refunded). Amounts are in cents; show dollars.',
            },
          },
        ],
      };
    },
  );
}
