/** The shapes the UI reads from the API and `/ws/chat` (see the server's `/api/openapi.json`). */

export interface RunTotals {
  steps: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** What a person is asked, the same in an `approval-request` event, a stored approval and a card. */
export interface ApprovalFacts {
  kind: 'approval' | 'question' | 'elicitation';
  server: string;
  tool: string;
  args: Record<string, unknown>;
  reason: string;
  risk: string;
  because: string;
}

interface Base {
  id: number;
  sessionId: string;
  runId: string;
  at: number;
}

/** A run event as `/ws/chat` sends it, with its per-session id. */
export type ChatEvent =
  | (Base & { type: 'run-start'; task: string; model: string; resumed?: boolean; budgetUsd: number | null })
  | (Base & { type: 'step-start'; step: number })
  | (Base & { type: 'text-delta'; step: number; text: string })
  | (Base & { type: 'tool-call'; step: number; toolCallId: string; server: string; tool: string; args: Record<string, unknown> })
  | (Base & { type: 'tool-start'; step: number; toolCallId: string; server: string; tool: string; args: Record<string, unknown>; edited?: boolean })
  | (Base & { type: 'tool-progress'; step: number; toolCallId: string; server: string; tool: string; progress: number; total?: number; message?: string })
  | (Base & { type: 'tool-result'; step: number; toolCallId: string; server: string; tool: string; summary: string; output: string; durationMs: number })
  | (Base & { type: 'tool-error'; step: number; toolCallId: string; server: string; tool: string; error: string; durationMs: number })
  | (Base & { type: 'usage'; step: number; costUsd: number; totals: RunTotals })
  | (Base & ApprovalFacts & { type: 'approval-request'; step: number; toolCallId: string; approvalId: string; expiresAt: string })
  | (Base & { type: 'approval-response'; step: number; toolCallId: string; approvalId: string | null; decision: string; by: string; note?: string; args?: Record<string, unknown> })
  | (Base & { type: 'step-end'; step: number })
  | (Base & { type: 'run-end'; outcome: string; text: string; error?: string; totals: RunTotals });

/** An approval, question or elicitation as the API shows it. */
export interface Approval extends ApprovalFacts {
  id: string;
  runId: string;
  sessionId: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'answered';
  scope: string | null;
  note: string | null;
  resolvedBy: string | null;
  createdAt: string;
  resolvedAt: string | null;
  expiresAt: string;
}

/** Frames without an id. */
export type ChatNotice =
  | { type: 'ready'; sessionId: string; lastEventId: number; replayed: number }
  | { type: 'ack'; for: string; sessionId?: string; runId?: string; approvalId?: string; status?: string; resumed?: boolean; reason?: string }
  | { type: 'approval-resolved'; sessionId: string; approval: Approval }
  | { type: 'error'; code: string; message: string; approvalId?: string };

export interface SessionSummary {
  id: string;
  title: string | null;
  createdAt: string;
  runs: number;
}

export interface SessionDetail {
  id: string;
  title: string | null;
  budgetUsd: number | null;
  totals: { runs: number; inputTokens: number; outputTokens: number; costUsd: number; toolCalls: number };
  approvals: Approval[];
}

export interface ServerInfo {
  name: string;
  state: string;
  target: string;
  error?: string;
  trusted: boolean;
  tools: Array<{ name: string; description: string; annotations?: Record<string, unknown> }>;
}

export interface Usage {
  since: string;
  days: Array<{ day: string; model: string; runs: number; inputTokens: number; outputTokens: number; costUsd: number }>;
  models: Array<{ model: string; runs: number; steps: number; toolCalls: number; inputTokens: number; outputTokens: number; costUsd: number }>;
}

export interface Panels {
  deployments: boolean;
  systemHealth: boolean;
}

/** One deploy or rollback in the DevOps server's `deployment://history` (its field names, snake_case). */
export interface Deployment {
  id: string;
  kind: 'deploy' | 'rollback';
  environment: string;
  branch: string | null;
  sha: string;
  previous_sha: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'timed_out' | 'blocked' | 'declined';
  recommendation: string | null;
  risk_level: string | null;
  verdict_source: string | null;
  approver: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  exit_code: number | null;
}

/** A page of `deployment://history`, newest first. */
export interface DeploymentHistory {
  deployments: Deployment[];
  next_cursor: string | null;
}

/** The DevOps server's `system://health` document (the fields the panel shows). */
export interface SystemHealthReport {
  status: 'healthy' | 'degraded' | 'misconfigured';
  configured: boolean;
  config_problem?: string;
  at: string;
  cpu: { cores: number; load_1m: number; load_5m: number; load_15m: number; load_per_core_1m: number };
  memory: { total_bytes: number; available_bytes: number; used_percent: number };
  disks: Array<{ path: string; total_bytes: number; free_bytes: number; used_percent: number }>;
  system_uptime_s: number;
  server_uptime_s: number;
  deployments: { total: number; by_status: Record<string, number> };
  model: { own: string | null; own_problem: string | null; budget_usd: number | null; spent_usd: number; budget_left_usd: number | null };
  command_log: { ok: true; entries: number } | { ok: false; brokenAt: number; problem: string };
}
