/**
 * @module Response and query schemas of the API, declared once: the routes parse with them and the OpenAPI
 * document at `/api/openapi.json` is generated from them (with the request schemas of `input.ts`).
 */
import { z } from 'zod';

/** `GET /api/deployments?cursor=…&environment=…`: a later page of the history, or one environment's. */
export const DeploymentsQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(200).optional(),
  environment: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'an environment name such as staging').optional(),
});

/** `GET /api/usage?days=N` (1–366, default 30). */
export const UsageQuerySchema = z.strictObject({ days: z.coerce.number().int('expected a whole number').min(1).max(366).default(30) });

/** `GET /api/approvals?status=pending|all`. */
export const ListApprovalsQuerySchema = z.strictObject({ status: z.enum(['pending', 'all']).default('pending') });

/** An error response. */
export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** `GET /health`. */
export const HealthSchema = z.object({ ok: z.literal(true), version: z.string() });

/** `GET /ready`. */
export const ReadySchema = z.object({ ready: z.boolean(), store: z.boolean(), servers: z.array(z.object({ name: z.string(), state: z.string() })) });

/** `202` of starting or resuming a run. */
export const RunStartedSchema = z.object({ runId: z.string(), sessionId: z.string() });

const totals = z.object({ steps: z.number(), toolCalls: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() });

/** `GET /api/runs/:id`. */
export const RunSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  task: z.string(),
  model: z.string(),
  status: z.string(),
  executing: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  totals,
  finalText: z.string().nullable(),
  error: z.string().nullable(),
  pendingApprovals: z.array(z.string()),
});

/** An approval, question or elicitation. */
export const ApprovalSchema = z.object({
  id: z.string(),
  runId: z.string(),
  sessionId: z.string(),
  kind: z.enum(['approval', 'question', 'elicitation']),
  server: z.string(),
  tool: z.string(),
  args: z.unknown(),
  reason: z.string(),
  risk: z.string(),
  because: z.string(),
  status: z.enum(['pending', 'approved', 'denied', 'expired', 'answered']),
  scope: z.string().nullable(),
  editedArgs: z.unknown().optional(),
  note: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  expiresAt: z.string(),
});

/** The answer to a decision. */
export const DecisionSchema = z.object({ approval: ApprovalSchema, resumed: z.boolean(), reason: z.string().optional(), waitingFor: z.array(z.string()).optional() });

/** `GET /api/sessions`. */
export const SessionListSchema = z.array(z.object({ id: z.string(), title: z.string().nullable(), createdAt: z.string(), runs: z.number() }));

/** `GET /api/sessions/:id`: the session, its runs, its totals against the per-run budget, and what waits on a person. */
export const SessionSchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  createdAt: z.string(),
  budgetUsd: z.number().nullable(),
  totals: z.object({ runs: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number(), toolCalls: z.number() }),
  runs: z.array(z.object({ id: z.string(), task: z.string(), status: z.string(), startedAt: z.string(), executing: z.boolean() })),
  approvals: z.array(ApprovalSchema),
});

/** `GET /api/servers`. */
export const ServerListSchema = z.array(
  z.object({
    name: z.string(),
    state: z.enum(['connecting', 'ready', 'restarting', 'failed', 'closed']),
    target: z.string(),
    error: z.string().optional(),
    trusted: z.boolean(),
    tools: z.array(z.object({ name: z.string(), description: z.string(), annotations: z.record(z.string(), z.unknown()).optional() })),
  }),
);

/** `GET /api/usage`. */
export const UsageSchema = z.object({
  since: z.string(),
  days: z.array(z.object({ day: z.string(), model: z.string(), runs: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() })),
  models: z.array(z.object({ model: z.string(), runs: z.number(), steps: z.number(), toolCalls: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() })),
});

/** `GET /api/panels`. */
export const PanelsSchema = z.object({ deployments: z.boolean(), systemHealth: z.boolean() });

/** `GET /api/deployments` and `GET /api/system-health`: the resource's JSON and where it came from. */
export const PanelDataSchema = z.object({ server: z.string(), uri: z.string(), data: z.unknown() });

/** `POST /api/runs/:id/cancel`. */
export const CancelledSchema = z.object({ runId: z.string(), cancelled: z.literal(true) });
