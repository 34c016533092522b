import type { ColumnType, Generated } from 'kysely';
import type { BuiltinDatabase } from '../servers/database.js';

/**
 * Table types of the host's state: sessions, runs and their events, model calls, approvals, the audit log.
 * Timestamps are ISO-8601 strings, so the same code runs on SQLite and PostgreSQL without timezone surprises.
 * The built-in servers' tables live with their servers (`src/servers/<name>/tables.ts`).
 */
export type HostDatabase = {
  sessions: SessionTable;
  session_messages: SessionMessageTable;
  session_grants: SessionGrantTable;
  runs: RunTable;
  run_events: RunEventTable;
  run_leases: RunLeaseTable;
  oauth_credentials: OAuthCredentialTable;
  model_calls: ModelCallTable;
  approvals: ApprovalTable;
  audit_log: AuditLogTable;
  session_claims: SessionClaimTable;
};

/** Which run holds a session (one executes per session at a time); see `session-claim.ts`. */
export interface SessionClaimTable {
  session_id: string;
  run_id: string;
  /** Milliseconds since the epoch: until then a claim taken at enqueue holds without a lease. */
  claimed_until: ColumnType<number, number, number>;
}

/**
 * What the store's connection can query: the host's tables and, since the host prepares them in the same
 * database when it opens the store, the built-in servers' (for in-process servers, tests and benches).
 */
export type Database = HostDatabase & BuiltinDatabase;

export interface SessionTable {
  id: string;
  title: string | null;
  created_at: string;
  /** The investigation summary: older turns, compacted. */
  summary: ColumnType<string | null, string | null | undefined, string | null>;
  /** Messages with `seq` up to this are covered by `summary`. */
  summarized_through: ColumnType<number, number | undefined, number>;
}

/** The session's transcript, append-only; `message` is a `ModelMessage` as JSON. */
export interface SessionMessageTable {
  session_id: string;
  seq: number;
  run_id: string | null;
  role: string;
  message: string;
  created_at: string;
}

/** "Approve this tool for the rest of the session." */
export interface SessionGrantTable {
  session_id: string;
  server: string;
  tool: string;
  granted_by: string;
  created_at: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'answered';

export interface ApprovalTable {
  id: string;
  run_id: string;
  session_id: string;
  step: number;
  tool_call_id: string;
  /** `approval` (a side effect), `question` (the agent's `ask_user`) or `elicitation` (a server asks mid-call). */
  kind: 'approval' | 'question' | 'elicitation';
  server: string;
  tool: string;
  /** JSON of the arguments the model proposed. */
  args: string;
  reason: string;
  risk: string;
  because: string;
  status: ApprovalStatus;
  /** `once` or `session` (approved for the rest of the session). */
  scope: string | null;
  /** JSON of the arguments a person edited, when they did. */
  edited_args: string | null;
  /** A person's note, or the answer to a question. */
  note: string | null;
  resolved_by: string | null;
  created_at: string;
  resolved_at: string | null;
  expires_at: string;
  /** JSON Schema of the tool's input when the approval was asked for (null for older rows and elicitations). */
  input_schema: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Append-only, hash-chained record of every decision. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  run_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface RunTable {
  id: string;
  session_id: string;
  task: string;
  model: string;
  /** `running` until the run ends, then its outcome. */
  status: string;
  started_at: string;
  ended_at: string | null;
  steps: Generated<number>;
  tool_calls: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_usd: Generated<number>;
  final_text: string | null;
  error: string | null;
  /** JSON of the options the run started with (model, yes, limits), so a resume keeps them. */
  options: ColumnType<string, string | undefined, string>;
}

/** One paid model call: a run's step (`kind` `step`) or a sampling request answered for the run (`sampling`). */
export interface ModelCallTable {
  id: Generated<number>;
  run_id: string;
  session_id: string;
  step: number;
  kind: string;
  /** `provider:model` that answered and was paid. */
  model: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  duration_ms: number | null;
  at: string;
  /** `YYYY-MM-DD` (UTC) of `at`. */
  day: string;
}

export interface RunEventTable {
  id: Generated<number>;
  run_id: string;
  seq: number;
  type: string;
  at: ColumnType<number, number, never>;
  /** The whole event as JSON. */
  data: string;
}

/** The process executing a run, while it holds the run's lease (times in milliseconds since the epoch). */
export interface RunLeaseTable {
  run_id: string;
  owner_id: string;
  pid: number;
  host: string;
  started_at: ColumnType<number, number, number>;
  heartbeat_at: ColumnType<number, number, number>;
  expires_at: ColumnType<number, number, number>;
}

/** The sealed OAuth credentials of one remote MCP server (see `oauth-credential-store.ts`). */
export interface OAuthCredentialTable {
  server: string;
  server_url: string;
  /** AES-256-GCM ciphertext of the registration and tokens. */
  sealed: string;
  updated_at: string;
}
