import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../store/schema.js';
import { ok, toolError } from '../shared/tool-result.js';
import { describeOrder } from './order-details.js';
import { Outbox } from './outbox.js';

const EmailResultSchema = z.object({
  email_id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  delivered: z.boolean(),
  note: z.string().nullable(),
  duplicate: z.boolean(),
});

/** The email MCP server: sends customer emails through the outbox. */
export function createEmailServer(db: Kysely<Database>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-email', version }, { capabilities: { tools: {} } });
  const outbox = new Outbox(db);

  server.registerTool(
    'sendShippingConfirmation',
    {
      title: 'Send a shipping confirmation',
      description:
        'Send the customer a shipping confirmation email for an order. Include the order id in order_details; ' +
        'the carrier, tracking number and items are added from the order when it is known.',
      inputSchema: z.object({
        email: z.email().max(254).describe('Recipient email address'),
        order_details: z
          .string()
          .trim()
          .min(1)
          .max(2_000)
          .describe('What shipped: the order id (e.g. XYZ-789), and items or carrier/tracking if known'),
        idempotency_key: z
          .string()
          .max(200)
          .optional()
          .describe('Optional key; a repeated call with the same key returns the first result instead of sending again'),
      }),
      outputSchema: EmailResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ email, order_details, idempotency_key }) => {
      const details = await describeOrder(db, order_details);
      if (details.unknownOrderId) {
        return toolError(`No order ${details.unknownOrderId}; check the order id before confirming shipment. Nothing was sent.`);
      }
      const { email: sent, duplicate } = await outbox.enqueue({
        to: email,
        subject: details.subject,
        body: details.body,
        kind: 'shipping-confirmation',
        orderId: details.orderId,
        ...(idempotency_key ? { idempotencyKey: idempotency_key } : {}),
      });
      const delivered = sent.status === 'sent';
      const text =
        `${duplicate ? 'Already sent (same idempotency key): ' : ''}shipping confirmation ${sent.id} to ${sent.to_address}` +
        ` — "${sent.subject}" (${delivered ? 'delivered' : `${sent.status}, ${sent.delivery_note}`})`;
      return ok(text, {
        email_id: sent.id,
        to: sent.to_address,
        subject: sent.subject,
        status: sent.status,
        delivered,
        note: sent.delivery_note,
        duplicate,
      });
    },
  );

  return server;
}
