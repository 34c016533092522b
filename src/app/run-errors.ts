/**
 * @module The errors of the run operations a front end calls (start, resume, cancel): typed here, so the HTTP
 * API maps them to a status in one place (`http/errors.ts`) and the CLI prints their message, without either
 * knowing the other.
 */
import { AppError } from '../shared/errors.js';

/** Why a run operation conflicts with what is going on: the run or its session is busy, or nothing runs to cancel. */
export type RunConflictCode = 'RUN_EXECUTING' | 'SESSION_BUSY' | 'NOT_EXECUTING';

/** The operation conflicts with the run's current state (HTTP 409): wait for the run, or follow it instead. */
export class RunConflictError extends AppError {
  constructor(
    readonly code: RunConflictCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why runs cannot be taken right now. */
export type RunsUnavailableCode = 'SHUTTING_DOWN' | 'NOT_TAKEN';

/** Runs cannot be started here now (HTTP 503): this process is shutting down, or no worker took a queued run. */
export class RunsUnavailableError extends AppError {
  constructor(
    readonly code: RunsUnavailableCode,
    message: string,
  ) {
    super(message);
  }
}
