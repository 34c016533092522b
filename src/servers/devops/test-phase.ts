/**
 * @module The test phase of a deploy: the configured test command, run for real with a timeout; pass or fail
 * from its exit code, counts when the runner prints them, and the tail of its output.
 */
import type { Kysely } from 'kysely';
import { type CommandResult, runCommand, tailLines } from './run-command.js';
import type { DevopsDatabase } from './tables.js';

/** Lines of test output kept in reports. */
export const TEST_TAIL_LINES = 30;

export interface TestCounts {
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
}

export type TestOutcome =
  | { readonly status: 'not-configured' }
  | { readonly status: 'skipped'; readonly reason: string }
  | {
      readonly status: 'passed' | 'failed' | 'timed-out' | 'could-not-run';
      readonly argv: readonly string[];
      readonly exitCode: number | null;
      readonly durationMs: number;
      readonly counts: TestCounts;
      readonly outputTail: string;
    };

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Counts from what common runners print: vitest (`Tests  3 passed | 1 failed (4)`), jest (`Tests: 1 failed, 3 passed`),
 * mocha (`3 passing`, `1 failing`), pytest (`3 passed, 1 failed in 0.5s`), node --test / TAP (`# pass 3`, `ℹ fail 1`).
 * The last figure printed wins (summaries come last). Absent when the runner printed none.
 */
export function parseTestCounts(output: string): TestCounts {
  const text = output.replace(ANSI, '');
  const last = (pattern: RegExp): number | undefined => {
    let found: number | undefined;
    for (const match of text.matchAll(pattern)) found = Number(match[1] ?? match[2]);
    return found;
  };
  const passed = last(/(?:(\d+)\s+(?:passed|passing)\b)|(?:(?:^|\n)\s*(?:#|ℹ)\s*pass\s+(\d+))/g);
  const failed = last(/(?:(\d+)\s+(?:failed|failing)\b)|(?:(?:^|\n)\s*(?:#|ℹ)\s*fail\s+(\d+))/g);
  const skipped = last(/(?:(\d+)\s+(?:skipped|pending|todo)\b)|(?:(?:^|\n)\s*(?:#|ℹ)\s*(?:skipped|todo)\s+(\d+))/g);
  return {
    ...(passed !== undefined ? { passed } : {}),
    ...(failed !== undefined ? { failed } : {}),
    ...(skipped !== undefined ? { skipped } : {}),
  };
}

export interface RunTestsOptions {
  readonly db: Kysely<DevopsDatabase>;
  readonly argv: readonly string[] | undefined;
  readonly repo: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly deploymentId: string;
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Runs the tests (or reports that none are configured). Never throws for a failing test run. */
export async function runTests(options: RunTestsOptions): Promise<TestOutcome> {
  if (!options.argv) return { status: 'not-configured' };
  const result: CommandResult = await runCommand({
    db: options.db,
    argv: options.argv,
    cwd: options.repo,
    env: options.env,
    timeoutMs: options.timeoutMs,
    purpose: 'test',
    deploymentId: options.deploymentId,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const status = result.spawnError ? 'could-not-run' : result.timedOut ? 'timed-out' : result.exitCode === 0 ? 'passed' : 'failed';
  return {
    status,
    argv: options.argv,
    exitCode: result.exitCode,
    durationMs: Math.round(result.durationMs),
    counts: parseTestCounts(result.output),
    outputTail: result.spawnError ? result.spawnError : tailLines(result.output.replace(ANSI, ''), TEST_TAIL_LINES),
  };
}
