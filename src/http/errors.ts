/**
 * @module The HTTP API's errors and the one place they become a status and a JSON body. Route handlers throw
 * typed errors; nothing else writes an error response, and no stack trace ever leaves the process.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { RunConflictError, RunsUnavailableError } from '../app/run-errors.js';
import { RunNotResumableError } from '../app/runs.js';
import { AppError, RunNotFoundError, StoredDataError, UsageError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** An error the API answers with a 4xx status: the client must change the request. */
export class ApiError extends AppError {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: a body, parameter, query or header failed validation; the message names it and what was expected. */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, 'BAD_REQUEST', message);
  }
}

/** 404: no run, session or approval with that id. */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'NOT_FOUND', message);
  }
}

/** 409: the request conflicts with the current state (already resolved, already finished, busy). */
export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Maps any thrown value to a status and a body; 5xx bodies say nothing about the internals. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.statusCode, body: { error: { code: error.code, message: error.message } } };
  // The run operations' typed errors: an unknown run, a busy run or session, runs not taken now, one that ended for
  // good, a stored row that does not parse.
  if (error instanceof RunNotFoundError) return { status: 404, body: { error: { code: 'NOT_FOUND', message: error.message } } };
  if (error instanceof RunConflictError) return { status: 409, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof RunsUnavailableError) return { status: 503, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof RunNotResumableError) return { status: 409, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof StoredDataError) return { status: 500, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof UsageError) return { status: 400, body: { error: { code: error.code, message: error.message } } };
  // Fastify's own client errors (bad JSON, body too large, wrong content type) carry a 4xx status and a safe message.
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as Partial<FastifyError>).code ?? 'BAD_REQUEST';
    return { status, body: { error: { code, message: (error as Error).message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal server error; the server log has the details.' } } };
}

/** Installs the error and not-found handlers: every error response of the app is shaped here. */
export function registerErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) logger.error({ reqId: request.id, method: request.method, url: request.url, error: error instanceof Error ? error.stack : String(error) }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}. The API lives under /api (see README "HTTP API").` } } satisfies ErrorBody),
  );
}
