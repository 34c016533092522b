/**
 * @module The append-only record of every command the devops server runs (argv, exit code, duration, who
 * approved), hash-chained like the host's audit log so a changed, removed or reordered row is detectable.
 */
import type { Kysely } from 'kysely';
import { chainHash, GENESIS_HASH } from '../../shared/hash-chain.js';
import type { DevopsDatabase } from './tables.js';

/** One finished command, as recorded. */
export interface CommandRecord {
  readonly deploymentId: string | null;
  readonly purpose: 'git' | 'test' | 'deploy' | 'rollback';
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly approvedBy: string | null;
}

/** A row as listed (argv parsed). */
export interface CommandEntry extends Omit<CommandRecord, 'argv'> {
  readonly seq: number;
  readonly at: string;
  readonly argv: string[];
  readonly hash: string;
}

const APPEND_ATTEMPTS = 8;

type HashedFields = { seq: number; at: string; deployment_id: string | null; purpose: string; argv: string; cwd: string; exit_code: number | null; signal: string | null; timed_out: number; duration_ms: number; approved_by: string | null };

/** Appends one command; serialises on the `seq` primary key and retries on the new tail when another writer won. */
export async function recordCommand(db: Kysely<DevopsDatabase>, record: CommandRecord): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const last = await db.selectFrom('devops_commands').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const row: HashedFields = {
      seq: Number(last?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      deployment_id: record.deploymentId,
      purpose: record.purpose,
      argv: JSON.stringify(record.argv),
      cwd: record.cwd,
      exit_code: record.exitCode,
      signal: record.signal,
      timed_out: record.timedOut ? 1 : 0,
      duration_ms: Math.round(record.durationMs),
      approved_by: record.approvedBy,
    };
    const prev_hash = last?.hash ?? GENESIS_HASH;
    try {
      await db.insertInto('devops_commands').values({ ...row, prev_hash, hash: chainHash(prev_hash, row) }).execute();
      return;
    } catch (error) {
      const conflict = /UNIQUE|duplicate key|23505|SQLITE_BUSY|locked/i.test(`${error}${(error as { code?: string }).code ?? ''}`);
      if (!conflict || attempt >= APPEND_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

/** Commands of one deployment (or all, newest last), in order. */
export async function listCommands(db: Kysely<DevopsDatabase>, deploymentId?: string): Promise<CommandEntry[]> {
  let query = db.selectFrom('devops_commands').selectAll().orderBy('seq');
  if (deploymentId !== undefined) query = query.where('deployment_id', '=', deploymentId);
  const rows = await query.execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    at: row.at,
    deploymentId: row.deployment_id,
    purpose: row.purpose as CommandRecord['purpose'],
    argv: JSON.parse(row.argv) as string[],
    cwd: row.cwd,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    signal: row.signal,
    timedOut: Number(row.timed_out) === 1,
    durationMs: Number(row.duration_ms),
    approvedBy: row.approved_by,
    hash: row.hash,
  }));
}

export type CommandLogVerification = { readonly ok: true; readonly entries: number } | { readonly ok: false; readonly brokenAt: number; readonly problem: string };

/** Walks the chain from the start; reports the first row whose link or hash does not check out. */
export async function verifyCommandLog(db: Kysely<DevopsDatabase>): Promise<CommandLogVerification> {
  const rows = await db.selectFrom('devops_commands').selectAll().orderBy('seq').execute();
  let previous = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    const seq = Number(row.seq);
    if (seq !== index + 1) return { ok: false, brokenAt: seq, problem: `expected entry ${index + 1}, found ${seq}` };
    if (row.prev_hash !== previous) return { ok: false, brokenAt: seq, problem: 'it does not link to the entry before it' };
    const { prev_hash: _prev, hash, ...fields } = row;
    const normalised: HashedFields = {
      ...fields,
      seq,
      exit_code: fields.exit_code === null ? null : Number(fields.exit_code),
      timed_out: Number(fields.timed_out),
      duration_ms: Number(fields.duration_ms),
    };
    if (hash !== chainHash(previous, normalised)) return { ok: false, brokenAt: seq, problem: 'its content does not match its hash' };
    previous = hash;
  }
  return { ok: true, entries: rows.length };
}
