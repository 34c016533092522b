import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'bin', 'deckhand.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh data dir and working dir, so runs never share state. */
export function freshWorkspace(): { home: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-cli-'));
  return { home: join(root, 'home'), cwd: root };
}

let userHome: string | undefined;

/** A temporary stand-in for the user's home folder, shared by the children of this test file. */
export function testUserHome(): string {
  userHome ??= mkdtempSync(join(tmpdir(), 'deckhand-user-home-'));
  return userHome;
}

/**
 * Environment for a CLI child: no provider keys leak in from the machine, and `HOME` is a temporary folder, so
 * even a child that loses its `DECKHAND_HOME` never writes under the real `~/.deckhand`.
 */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: testUserHome(), DECKHAND_HOME: home, NO_COLOR: '1', ...extra };
  return env;
}

/** Runs `deckhand <args>` as a real process and collects its output. */
export function runCli(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parses `--json` output: one event per line. */
export function parseJsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
