/**
 * @module SMTP delivery for the email server: settings read once at start, and a mailer over nodemailer.
 */
import { errorMessage, UsageError } from '../../shared/errors.js';

/** Sender used when `SMTP_FROM` is not set. */
export const DEFAULT_SMTP_FROM = 'Deckhand <deckhand@localhost>';
/** How long to wait for the TCP connection and for the server's greeting. */
export const SMTP_CONNECT_TIMEOUT_MS = 10_000;
/** How long a connected socket may stay idle mid-conversation. */
export const SMTP_SOCKET_TIMEOUT_MS = 30_000;
/** Longest delivery error kept in `delivery_note`; SMTP servers can answer at length. */
const MAX_ERROR_LENGTH = 500;

/** Where and as whom the email server delivers. */
export interface SmtpSettings {
  /** `smtp://[user:password@]host[:port]` or `smtps://…`, as given in `SMTP_URL`. */
  readonly url: string;
  /** The From header: `Name <address>` or a bare address. */
  readonly from: string;
}

/**
 * `Name <local@domain>` or `local@domain`. Looser than a public address on purpose: `deckhand@localhost` is a
 * fine sender for a local relay.
 */
const FROM_PATTERN = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** `SMTP_URL` without its password, safe to show. */
function redact(url: URL): string {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  return copy.toString();
}

/**
 * Reads `SMTP_URL` and `SMTP_FROM` from `env`, once, at server start. Returns undefined when `SMTP_URL` is unset
 * or empty (emails then stay queued in the outbox).
 *
 * @throws UsageError with a one-line message when `SMTP_URL` is not an smtp:// or smtps:// URL with a host,
 *   or `SMTP_FROM` is not an address; the password is never echoed.
 */
export function smtpSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): SmtpSettings | undefined {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return undefined;
  const expected = 'expected smtp://[user:password@]host[:port] or smtps://…, e.g. smtp://127.0.0.1:2525';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`SMTP_URL is not a URL; ${expected}.`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new UsageError(`SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//); ${expected}.`);
  }
  if (!url.hostname) throw new UsageError(`SMTP_URL has no host (${redact(url)}); ${expected}.`);
  const from = env.SMTP_FROM?.trim() || DEFAULT_SMTP_FROM;
  if (!FROM_PATTERN.test(from)) {
    throw new UsageError(
      `SMTP_FROM is not a sender address (got "${from}"); expected "Name <name@example.com>" or name@example.com.`,
    );
  }
  return { url: raw, from };
}

/** One email to deliver. */
export interface OutgoingEmail {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** How a delivery went: accepted by the SMTP server, or the reason it was not. */
export type DeliveryOutcome =
  | { readonly delivered: true; readonly response: string }
  | { readonly delivered: false; readonly error: string };

/** Hands emails to an SMTP server. */
export interface Mailer {
  /** Delivers one email; never throws: a failure is an outcome. */
  deliver(email: OutgoingEmail): Promise<DeliveryOutcome>;
}

/**
 * A mailer over nodemailer's SMTP transport: one connection per email (an agent sends a few, and a fresh
 * connection cannot be left broken by the previous one), plain-text bodies, bounded connect and idle timeouts.
 * The email's outbox id travels in an `X-Deckhand-Email-Id` header, so a message can be traced to its row.
 */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  // Loaded only when SMTP is configured: nodemailer imports node:http and node:https, whose ESM facades load
  // Node's HTTP client stack (undici, http2, tls), a fifth of a server process's start for nothing otherwise.
  const transport = import('nodemailer').then(({ createTransport }) =>
    createTransport({
      url: settings.url,
      connectionTimeout: SMTP_CONNECT_TIMEOUT_MS,
      greetingTimeout: SMTP_CONNECT_TIMEOUT_MS,
      socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    }),
  );
  // A failed load is reported by the first delivery (as its outcome), not as an unhandled rejection now.
  transport.catch(() => {});
  return {
    async deliver(email) {
      try {
        const info = await (await transport).sendMail({
          from: settings.from,
          to: email.to,
          subject: email.subject,
          text: email.body,
          headers: { 'X-Deckhand-Email-Id': email.id },
        });
        if (info.rejected.length > 0)
          return { delivered: false, error: `the SMTP server rejected ${info.rejected.join(', ')}` };
        return { delivered: true, response: info.response };
      } catch (error) {
        return { delivered: false, error: errorMessage(error).replace(/\s+/g, ' ').slice(0, MAX_ERROR_LENGTH) };
      }
    },
  };
}
