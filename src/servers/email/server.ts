import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { EmailDatabase } from './tables.js';
import { IdempotencyKeySchema } from '../shared/idempotency.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { guarded, ok, toolError } from '../shared/tool-result.js';
import { EmailQueries, type EmailPage } from './email-queries.js';
import { EmailSender, sendResult } from './email-sender.js';
import { describeOrder } from './order-details.js';
import { Outbox } from './outbox.js';
import {
  BodySchema,
  EMAIL_STATUSES,
  EmailDetailSchema,
  EmailResultSchema,
  EmailSummarySchema,
  MAX_QUERY_LENGTH,
  MIN_QUERY_LENGTH,
  RecipientSchema,
  SubjectSchema,
} from './schemas.js';
import { createSmtpMailer, type SmtpSettings } from './smtp.js';

/** Options of the email server. */
export interface EmailServerOptions {
  /** Where to deliver over SMTP (from `smtpSettingsFromEnv`); without it emails stay queued in the outbox. */
  readonly smtp?: SmtpSettings | undefined;
}

// Reads act only on Deckhand's own outbox; sending reaches the outside world.
const READ_ONLY = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;
const SENDS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
const EmailPageSchema = z.object({ emails: z.array(EmailSummarySchema), next_cursor: NextCursorSchema });

function renderPage(page: EmailPage, emptyText: string): string {
  if (page.emails.length === 0) return emptyText;
  const lines = page.emails.map(
    (email) =>
      `${email.id} ${email.created_at} ${email.status} to ${email.to}: "${email.subject}"${email.order_id ? ` (order ${email.order_id})` : ''}`,
  );
  return lines.join('\n') + (page.next_cursor ? '\n(more: pass next_cursor as cursor)' : '');
}

/**
 * The email MCP server: sends customer emails through the outbox (delivered over SMTP when `options.smtp` is
 * set) and reads the outbox back. Both senders store first and send at most once per idempotency key.
 */
export function createEmailServer(db: Kysely<EmailDatabase>, version: string, options: EmailServerOptions = {}): McpServer {
  const server = new McpServer({ name: 'deckhand-email', version }, { capabilities: { tools: {} } });
  const sender = new EmailSender(db, options.smtp ? createSmtpMailer(options.smtp) : undefined);
  const queries = new EmailQueries(db);
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
          .describe(
            'Optional key; a repeated call with the same key returns the first result instead of sending again',
          ),
      }),
      outputSchema: EmailResultSchema,
      annotations: SENDS,
    },
    guarded('sendShippingConfirmation', async ({ email, order_details, idempotency_key }) => {
      const details = await describeOrder(db, order_details);
      if (details.unknownOrderId) {
        return toolError(
          `No order ${details.unknownOrderId}; check the order id before confirming shipment. Nothing was sent.`,
        );
      }
      const outcome = await sender.send({
        tool: 'sendShippingConfirmation',
        email: {
          to: email,
          subject: details.subject,
          body: details.body,
          kind: 'shipping-confirmation',
          orderId: details.orderId,
        },
        idempotencyKey: idempotency_key,
        request: [email, order_details],
      });
      return sendResult('shipping confirmation', outcome);
    }),
  );

  server.registerTool(
    'send_email',
    {
      title: 'Send an email',
      description:
        'Send a plain-text email to one address. It is stored in the outbox first, then delivered when an SMTP ' +
        'server is configured; the result says whether it was delivered. Use an idempotency_key so a retried ' +
        'call never sends twice.',
      inputSchema: z.object({
        to: RecipientSchema.describe('Recipient email address'),
        subject: SubjectSchema.describe('Subject line, one line of 1-200 characters'),
        body: BodySchema.describe('Plain-text body, 1-20000 characters'),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: EmailResultSchema,
      annotations: SENDS,
    },
    guarded('send_email', async ({ to, subject, body, idempotency_key }) => {
      const outcome = await sender.send({
        tool: 'send_email',
        email: { to, subject, body, kind: 'message', orderId: null },
        idempotencyKey: idempotency_key,
        request: [to, subject, body],
      });
      return sendResult('email', outcome);
    }),
  );

  server.registerTool(
    'list_emails',
    {
      title: 'List emails',
      description:
        'List emails in the outbox, newest first, optionally by status (queued, sent, failed), recipient or order. ' +
        'Paginated: pass next_cursor back as cursor. get_email shows one email in full.',
      inputSchema: z.object({
        status: z.enum(EMAIL_STATUSES).optional().describe('Only emails in this status'),
        to: z
          .string()
          .trim()
          .min(1)
          .max(254)
          .optional()
          .describe('Only emails to this address (whole address, any case)'),
        order_id: z.string().trim().min(1).max(64).optional().describe('Only emails about this order, e.g. XYZ-789'),
        ...PageInputShape,
      }),
      outputSchema: EmailPageSchema,
      annotations: READ_ONLY,
    },
    guarded('list_emails', async ({ status, to, order_id, cursor, limit }) => {
      const page = await queries.list({ status, to, orderId: order_id?.toUpperCase() }, { cursor, limit });
      let empty = 'No emails match.';
      if (page.emails.length === 0 && to) {
        const similar = await queries.similarAddresses(to);
        if (similar.length > 0) empty = `No emails to ${to}. Did you mean ${similar.join(', ')}?`;
      }
      return ok(renderPage(page, empty), page);
    }),
  );

  server.registerTool(
    'search_emails',
    {
      title: 'Search emails',
      description:
        'Find emails in the outbox whose subject, body or recipient contains the query (partial, case-insensitive), ' +
        'newest first. Paginated: pass next_cursor back as cursor.',
      inputSchema: z.object({
        query: z
          .string()
          .trim()
          .min(MIN_QUERY_LENGTH)
          .max(MAX_QUERY_LENGTH)
          .describe(`Text to find (${MIN_QUERY_LENGTH}-${MAX_QUERY_LENGTH} characters)`),
        ...PageInputShape,
      }),
      outputSchema: EmailPageSchema.extend({ query: z.string() }),
      annotations: READ_ONLY,
    },
    guarded('search_emails', async ({ query, cursor, limit }) => {
      const page = await queries.search(query, { cursor, limit });
      return ok(renderPage(page, `No email's subject, body or recipient contains "${query}".`), { query, ...page });
    }),
  );

  server.registerTool(
    'get_email',
    {
      title: 'Get an email',
      description:
        'Show one email of the outbox in full by id (e.g. EM-0001): recipient, subject, body, status and delivery note.',
      inputSchema: z.object({ email_id: z.string().trim().min(1).max(64).describe('Email id, e.g. EM-0001') }),
      outputSchema: EmailDetailSchema,
      annotations: READ_ONLY,
    },
    guarded('get_email', async ({ email_id }) => {
      const email = await outbox.require(email_id);
      const detail = {
        id: email.id,
        to: email.to_address,
        subject: email.subject,
        status: email.status,
        kind: email.kind,
        order_id: email.order_id,
        delivery_note: email.delivery_note,
        created_at: email.created_at,
        updated_at: email.updated_at,
        body: email.body,
      };
      const note = email.delivery_note ? ` (${email.delivery_note})` : '';
      return ok(
        `${email.id} ${email.status}${note} to ${email.to_address}, ${email.created_at}\nSubject: ${email.subject}\n\n${email.body}`,
        detail,
      );
    }),
  );

  return server;
}
