import type { Kysely, Transaction } from 'kysely';
import { delay } from '../shared/abort.js';
import { canonicalJson, chainHash, GENESIS_HASH } from '../shared/hash-chain.js';
import type { Database } from './schema.js';

export { GENESIS_HASH };

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  /** What it is about: an approval id, a run id. */
  readonly subject: string;
  readonly runId?: string | null;
  readonly details: Record<string, unknown>;
}

const canonical = canonicalJson;

function entryHash(previous: string, row: { seq: number; at: string; actor: string; action: string; subject: string; run_id: string | null; details: string }): string {
  return chainHash(previous, row);
}

const APPEND_ATTEMPTS = 8;

/**
 * Appends a decision to the audit log: each row carries the hash of the one before, so changing, removing or
 * reordering a row breaks the chain. Appends serialise on the `seq` primary key; a writer that loses the race
 * retries on the new tail. Pass `trx` to record the entry atomically with the decision itself.
 */
export async function appendAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const row = {
      seq: Number(last?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      run_id: entry.runId ?? null,
      details: canonical(entry.details),
    };
    const prev_hash = last?.hash ?? GENESIS_HASH;
    try {
      await db.insertInto('audit_log').values({ ...row, prev_hash, hash: entryHash(prev_hash, row) }).execute();
      return;
    } catch (error) {
      const conflict = /UNIQUE|duplicate key|23505|SQLITE_BUSY|locked/i.test(`${error}${(error as { code?: string }).code ?? ''}`);
      if (!conflict || attempt >= APPEND_ATTEMPTS) throw error;
      await delay(5 * attempt);
    }
  }
}

/** A stored entry of the audit log, with its details parsed. */
export interface AuditRecord {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly runId: string | null;
  readonly prevHash: string;
  readonly hash: string;
  readonly details: unknown;
}

/** The whole log, oldest first. Throws when an entry's details are not JSON (`audit verify` says where). */
export async function listAudit(db: Kysely<Database>): Promise<AuditRecord[]> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    runId: row.run_id,
    prevHash: row.prev_hash,
    hash: row.hash,
    details: JSON.parse(row.details) as unknown,
  }));
}

export type AuditVerification = { readonly ok: true; readonly entries: number } | { readonly ok: false; readonly entries: number; readonly brokenAt: number; readonly problem: string };

/** Walks the chain from the start and reports the first row whose hash or link does not check out. */
export async function verifyAudit(db: Kysely<Database>): Promise<AuditVerification> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  let previous = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    const seq = Number(row.seq);
    if (seq !== index + 1) return { ok: false, entries: rows.length, brokenAt: seq, problem: `expected entry ${index + 1}, found ${seq} (an entry was removed or reordered)` };
    if (row.prev_hash !== previous) return { ok: false, entries: rows.length, brokenAt: seq, problem: 'it does not link to the entry before it' };
    const expected = entryHash(previous, { seq, at: row.at, actor: row.actor, action: row.action, subject: row.subject, run_id: row.run_id, details: row.details });
    if (row.hash !== expected) return { ok: false, entries: rows.length, brokenAt: seq, problem: 'its content does not match its hash (it was changed)' };
    previous = row.hash;
  }
  return { ok: true, entries: rows.length };
}
