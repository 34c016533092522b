/**
 * @module The OpenAPI 3.0 document of the API (`GET /api/openapi.json`), generated with zod's own
 * `z.toJSONSchema` from the same schemas the routes validate with, so the document cannot drift from the code.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { VERSION } from '../shared/package-info.js';
import { ChatClientFrameSchema, ChatEventFrameSchema, ChatQuerySchema, ChatServerNoticeSchema } from './chat-protocol.js';
import { AnswerBodySchema, ApproveBodySchema, DenyBodySchema, ResumeBodySchema, StartRunBodySchema } from './input.js';
import {
  ApprovalSchema,
  CancelledSchema,
  DecisionSchema,
  ErrorBodySchema,
  DeploymentsQuerySchema,
  HealthSchema,
  ListApprovalsQuerySchema,
  PanelDataSchema,
  PanelsSchema,
  ReadySchema,
  RunSchema,
  RunStartedSchema,
  ServerListSchema,
  SessionListSchema,
  SessionSchema,
  UsageQuerySchema,
  UsageSchema,
} from './schemas.js';

/** One operation: its request schemas and its main response. */
interface Operation {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly summary: string;
  readonly auth?: false;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status?: number;
  readonly response?: z.ZodType;
  readonly websocket?: true;
}

/** Every route of `deckhand serve` with the schemas it validates against. */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/health', summary: 'Liveness: the process answers.', auth: false, response: HealthSchema },
  { method: 'get', path: '/ready', summary: 'Readiness: the store answers and every MCP server is connected (503 otherwise).', auth: false, response: ReadySchema },
  { method: 'post', path: '/api/login', summary: 'Sets the HttpOnly token cookie the UI uses (send the token as a Bearer header).' },
  { method: 'get', path: '/api/health', summary: 'Version, model, and each server with its tools.' },
  { method: 'get', path: '/api/servers', summary: 'MCP servers: state, target, tools with descriptions and annotations.', response: ServerListSchema },
  { method: 'get', path: '/api/sessions', summary: 'Recent sessions.', response: SessionListSchema },
  { method: 'get', path: '/api/sessions/{id}', summary: 'A session: runs, totals against the budget, approvals.', response: SessionSchema },
  { method: 'get', path: '/api/sessions/{id}/messages', summary: "The session's stored transcript." },
  { method: 'post', path: '/api/sessions/{id}/runs', summary: 'A run continuing the session.', body: StartRunBodySchema, status: 202, response: RunStartedSchema },
  { method: 'post', path: '/api/runs', summary: 'A run in a new session.', body: StartRunBodySchema, status: 202, response: RunStartedSchema },
  { method: 'get', path: '/api/runs/{id}', summary: 'Status, totals, final text, pending approvals.', response: RunSchema },
  { method: 'get', path: '/api/runs/{id}/events', summary: "The run's stored events, oldest first." },
  { method: 'post', path: '/api/runs/{id}/resume', summary: 'Resume a paused or interrupted run.', body: ResumeBodySchema, status: 202, response: RunStartedSchema },
  { method: 'post', path: '/api/runs/{id}/cancel', summary: 'Cancel a run executing in this server (resumable later).', response: CancelledSchema },
  { method: 'get', path: '/api/runs/{id}/stream', summary: "WebSocket: the run's events, stored then live.", websocket: true },
  { method: 'get', path: '/api/approvals', summary: 'Approvals and questions.', query: ListApprovalsQuerySchema, response: z.array(ApprovalSchema) },
  { method: 'post', path: '/api/approvals/{id}/approve', summary: 'Approve once, for the session, or with edited arguments.', body: ApproveBodySchema, response: DecisionSchema },
  { method: 'post', path: '/api/approvals/{id}/deny', summary: 'Deny with a note.', body: DenyBodySchema, response: DecisionSchema },
  { method: 'post', path: '/api/approvals/{id}/answer', summary: "Answer the agent's question.", body: AnswerBodySchema, response: DecisionSchema },
  { method: 'get', path: '/api/usage', summary: 'Runs, tokens and cost per day and model, and per model.', query: UsageQuerySchema, response: UsageSchema },
  { method: 'get', path: '/api/panels', summary: 'Which operations panels have data (deployments, system health).', response: PanelsSchema },
  { method: 'get', path: '/api/deployments', summary: 'The deployment://history resource of the DevOps server, newest first (404 NOT_AVAILABLE without one); next_cursor pages on.', query: DeploymentsQuerySchema, response: PanelDataSchema },
  { method: 'get', path: '/api/system-health', summary: 'The system://health resource of the DevOps server (404 NOT_AVAILABLE without one).', response: PanelDataSchema },
  { method: 'get', path: '/ws/chat', summary: 'WebSocket: chat over sessions with per-session event ids and lastEventId resume (frames in components.schemas).', query: ChatQuerySchema, websocket: true },
];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });

function operationObject(operation: Operation): Record<string, unknown> {
  const parameters: Array<Record<string, unknown>> = [];
  for (const match of operation.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  if (operation.query) {
    const shape = jsonSchema(operation.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(shape.properties ?? {})) parameters.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema });
  }
  const status = String(operation.status ?? (operation.websocket ? 101 : 200));
  const errors = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    summary: operation.summary,
    ...(operation.auth === false ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } } : {}),
    responses: {
      [status]: {
        description: operation.websocket ? 'Switching Protocols (WebSocket)' : 'OK',
        ...(operation.response ? { content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } } } : {}),
      },
      ...(operation.auth === false ? {} : { 401: errors }),
      '4XX': errors,
    },
  };
}

/** The OpenAPI 3.0 document of every operation, with the `/ws/chat` frames as component schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
  return {
    openapi: '3.0.3',
    info: { title: 'Deckhand API', version: VERSION, description: 'The HTTP API and WebSockets of `deckhand serve`. Every /api route and WebSocket needs the access token.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token `deckhand serve` printed (or DECKHAND_TOKEN).' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'deckhand_token', description: 'Set by POST /api/login.' },
      },
      schemas: {
        Error: jsonSchema(ErrorBodySchema, 'output'),
        ChatClientFrame: jsonSchema(ChatClientFrameSchema, 'input'),
        ChatEventFrame: jsonSchema(ChatEventFrameSchema, 'output'),
        ChatServerNotice: jsonSchema(ChatServerNoticeSchema, 'output'),
      },
    },
  };
}

/** `GET /api/openapi.json`. */
export function openApiRoutes(app: FastifyInstance): void {
  const document = openApiDocument();
  app.get('/api/openapi.json', async () => document);
}
