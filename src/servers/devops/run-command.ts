/**
 * @module Runs one configured command: an argv array without a shell, in a given folder, with a timeout that
 * kills the whole process group, keeping only the tail of the output, and recording it in the command log.
 */
import { spawn } from 'node:child_process';
import type { Kysely } from 'kysely';
import { type CommandRecord, recordCommand } from './command-log.js';
import type { DevopsDatabase } from './tables.js';

/** Bytes of combined stdout/stderr kept (the tail); older output is dropped as it arrives. */
const KEPT_OUTPUT_BYTES = 64 * 1024;
/** After SIGTERM, how long a timed-out command has before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export interface RunCommandOptions {
  readonly db: Kysely<DevopsDatabase>;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly purpose: CommandRecord['purpose'];
  readonly deploymentId?: string | null;
  readonly approvedBy?: string | null;
  /** Called with each complete output line (for progress notifications). */
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface CommandResult {
  /** null when the command could not start or was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The kept tail of stdout and stderr, interleaved as they arrived. */
  readonly output: string;
  /** Why it could not start (`ENOENT`: no such program), when it could not. */
  readonly spawnError?: string;
}

/** The last `lines` lines of `text`. */
export function tailLines(text: string, lines: number): string {
  const parts = text.replace(/\s+$/, '').split('\n');
  return parts.slice(-lines).join('\n');
}

/**
 * Runs `argv` and resolves once it has ended (never rejects for the command's own failure): exit code, signal,
 * whether the timeout killed it, duration and output tail. Records the command (argv, exit code, duration, who
 * approved) before resolving.
 */
export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const result = await execute(options);
  await recordCommand(options.db, {
    deploymentId: options.deploymentId ?? null,
    purpose: options.purpose,
    argv: options.argv,
    cwd: options.cwd,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    approvedBy: options.approvedBy ?? null,
  });
  return result;
}

function execute(options: RunCommandOptions): Promise<CommandResult> {
  const started = performance.now();
  const [program, ...args] = options.argv;
  return new Promise((resolve) => {
    let output = Buffer.alloc(0);
    let pendingLine = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(program!, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      // Its own process group, so a timeout stops the command and everything it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const take = (chunk: Buffer) => {
      output = Buffer.concat([output, chunk]);
      if (output.length > KEPT_OUTPUT_BYTES) output = output.subarray(output.length - KEPT_OUTPUT_BYTES);
      if (!options.onLine) return;
      pendingLine += chunk.toString('utf8');
      const lines = pendingLine.split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') options.onLine(line);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);

    const finish = (exitCode: number | null, signal: string | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: performance.now() - started,
        output: output.toString('utf8'),
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.once('error', (error: NodeJS.ErrnoException) =>
      finish(null, null, error.code === 'ENOENT' ? `no such program '${program}' (ENOENT)` : error.message),
    );
    child.once('close', (code, signal) => finish(code, signal));
  });
}
