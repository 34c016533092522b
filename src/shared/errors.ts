/**
 * Typed errors, classified by who must act on them (see STYLE.md).
 * Every error that reaches a person carries a stable `code` and a message that says how to fix it.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, config, env or arguments given by the operator: fix the input and try again (exit code 2). */
export class UsageError extends AppError {
  readonly code: string = 'USAGE';
  override readonly exitCode = 2;
}

/** A configuration value failed validation. The message names the source, the key and what was expected. */
export class ConfigError extends UsageError {
  override readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly key: string,
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${key}: ${expected}`, options);
  }
}

/** A provider (OpenAI, Anthropic, …) refused or failed a request; `message` says what to check. */
export class ProviderError extends AppError {
  readonly code = 'PROVIDER';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The model asked for a tool that is not in the catalog. Reported to the model as a tool error. */
export class ToolNotFoundError extends AppError {
  readonly code = 'TOOL_NOT_FOUND';
  constructor(
    readonly toolName: string,
    readonly availableTools: readonly string[],
  ) {
    super(`Model called unknown tool '${toolName}'. Available tools: ${availableTools.join(', ') || 'none'}.`);
  }
}

/** A built-in or configured MCP server could not be started or reached. */
export class ServerStartError extends AppError {
  readonly code = 'SERVER_START';
  constructor(
    readonly serverName: string,
    message: string,
    readonly stderrTail: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No run has this id. The HTTP API answers 404; the CLI says how to find a run. */
export class RunNotFoundError extends AppError {
  readonly code = 'RUN_NOT_FOUND';
  override readonly exitCode = 2;
  constructor(readonly runId: string) {
    super(`No run ${runId}.`);
  }
}

/**
 * A stored row does not parse: written by a newer release, or damaged. Names the run (or, for a transcript
 * message, the session) and what is wrong, so an old or corrupt row is never misread silently.
 */
export class StoredDataError extends AppError {
  readonly code = 'STORED_DATA_INVALID';
  constructor(
    readonly runId: string,
    readonly what: string,
    readonly problem: string,
    /** Set when the row belongs to a session's transcript: the message names the session. */
    readonly sessionId?: string,
  ) {
    super(`${sessionId !== undefined ? `Session ${sessionId}` : `Run ${runId}`}: its stored ${what} cannot be read: ${problem}.`);
  }
}

/** Returns a one-line human message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
