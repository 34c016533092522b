import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EmailDatabase } from './tables.js';
import { embeddedJson, jsonResource, registerRecordTemplate, RESOURCE_LIST_LIMIT, unknownArgument } from '../shared/resource-content.js';

/** The outbox, newest first, without bodies (read one email for its body). */
function outbox(db: Kysely<EmailDatabase>) {
  return db
    .selectFrom('emails')
    .select(['id', 'to_address', 'subject', 'kind', 'order_id', 'status', 'delivery_note', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RESOURCE_LIST_LIMIT)
    .execute();
}

function email(db: Kysely<EmailDatabase>, emailId: string) {
  return db
    .selectFrom('emails')
    .select([
      'id',
      'to_address',
      'subject',
      'body',
      'kind',
      'order_id',
      'status',
      'delivery_note',
      'created_at',
      'updated_at',
    ])
    .where('id', '=', emailId)
    .executeTakeFirst();
}

/** What a customer email about an order needs: the order, its customer, and what was already sent about it. */
async function orderCorrespondence(db: Kysely<EmailDatabase>, orderId: string) {
  const order = await db
    .selectFrom('orders')
    .innerJoin('customers', 'customers.id', 'orders.customer_id')
    .select([
      'orders.id',
      'orders.status',
      'orders.carrier',
      'orders.tracking_number',
      'orders.shipped_at',
      'customers.name as customer_name',
      'customers.email as customer_email',
    ])
    .where('orders.id', '=', orderId)
    .executeTakeFirst();
  if (!order) return undefined;
  const sent = await db
    .selectFrom('emails')
    .select(['id', 'subject', 'kind', 'status', 'created_at'])
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .execute();
  return { order, emails_already_sent: sent };
}

/** Email: `email://outbox`, `email://emails/{email_id}`, and prompt `draft_customer_email`. */
export function registerEmailResources(server: McpServer, db: Kysely<EmailDatabase>): void {
  server.registerResource(
    'outbox',
    'email://outbox',
    {
      title: 'Outbox',
      description: `The ${RESOURCE_LIST_LIMIT} latest customer emails, newest first: recipient, subject, kind, order, delivery status (no bodies).`,
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await outbox(db)),
  );

  registerRecordTemplate(server, {
    name: 'email',
    template: 'email://emails/{email_id}',
    variable: 'email_id',
    title: 'Email',
    description: 'One email from the outbox with its body (e.g. email://emails/EM-0001).',
    what: 'email',
    hint: 'See email://outbox for email ids.',
    load: (id) => email(db, id),
    // Exact match: generated ids end in lower-case hex (EM-1a2b3c4d), so no case folding here.
    normalise: (id) => id,
  });

  server.registerPrompt(
    'draft_customer_email',
    {
      title: 'Draft a customer email about an order',
      description:
        'Draft an email to the customer of one order for a given purpose (e.g. a delay apology), from the order and the emails already sent about it.',
      argsSchema: z.object({
        order_id: z.string().trim().min(1).max(64).describe('Order id, e.g. XYZ-789'),
        purpose: z.string().trim().min(1).max(500).describe('What the email is for, e.g. "apologise for the delay"'),
      }),
    },
    async ({ order_id, purpose }) => {
      const orderId = order_id.toUpperCase();
      const context = await orderCorrespondence(db, orderId);
      if (!context) unknownArgument(`No order ${orderId}. Check the order id.`);
      return {
        description: `Email to ${context.order.customer_name} about order ${orderId}`,
        messages: [
          { role: 'user', content: embeddedJson(`orders://orders/${orderId}`, context) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Draft an email to ${context.order.customer_name} <${context.order.customer_email}> about order ${orderId}. ` +
                `Purpose: ${purpose}. Give a subject line and a short plain-text body. Do not repeat what earlier emails ` +
                'already said unless it changed, and only state facts that are in the data. Draft only: do not send it.',
            },
          },
        ],
      };
    },
  );
}
