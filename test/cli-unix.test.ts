import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';

/** Runs a bash script; resolves its stdout, stderr and exit code. */
function bash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function runStatuses(home: string): string[] {
  const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  try {
    return (db.prepare('select status from runs').all() as Array<{ status: string }>).map((row) => row.status);
  } finally {
    db.close();
  }
}

describe('deckhand … | head (a real pipe whose reader exits)', () => {
  // Invariant: a closed stdout ends output quietly; the run goes on to its true end and exits with its code.
  it.each([[['--yes']], [['--yes', '--json']]])('run %j: no EPIPE trace, exit 0, the run recorded as finished', async (flags) => {
    const { home, cwd } = freshWorkspace();
    const command = [process.execPath, CLI, 'run', TASK, ...flags].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    const result = await bash(`${command} 2>"$DECKHAND_HOME.err" | head -n 1; echo "exit=\${PIPESTATUS[0]}"; cat "$DECKHAND_HOME.err"`, cliEnv(home), cwd);
    expect(result.stdout).toMatch(/exit=0/);
    expect(result.stdout).not.toMatch(/EPIPE|Error:|at .*\.js:\d+/);
    expect(result.stdout.split('\n')[0]).not.toBe('');
    expect(runStatuses(home)).toEqual(['finished']);
  });
});

describe('deckhand run - and --quiet', () => {
  it('reads the task from stdin, and --quiet prints only the final answer', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', '-', '--quiet', '--yes'], { env: cliEnv(home), cwd, input: `${TASK}\n` });
    expect(result.code, result.stderr).toBe(0);
    const json = await runCli(['sessions', '--json'], { env: cliEnv(home), cwd });
    const sessions = JSON.parse(json.stdout) as Array<{ recentRuns: Array<{ task: string }> }>;
    expect(sessions[0]!.recentRuns[0]!.task).toBe(TASK);
    // Exactly the answer: no header, tool lines or usage line.
    expect(result.stdout).not.toMatch(/Deckhand \d|usage:|^ {2}model {4}|^ {2}✓/m);
    expect(result.stdout).toMatch(/^Sent the shipping confirmation for order XYZ-789 to lisa\.park@example\.com\./);
  });

  it('an empty stdin is bad usage (exit 2) with the fix named', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', '-'], { env: cliEnv(home), cwd, input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/empty task on stdin.*echo/);
  });

  it('--quiet with --json is bad usage', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'hello', '--quiet', '--json'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
  });
});

describe('deckhand chat with piped stdin', () => {
  it('prints no prompts on stdout: the answers only; the notes go to stderr', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['chat', '--yes'], { env: cliEnv(home), cwd, input: `${TASK}\n/exit\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/you ›|Type a task|Session .* saved/);
    expect(result.stdout).toMatch(/email\.sendShippingConfirmation/);
    expect(result.stderr).toMatch(/Session .* saved/);
  });
});

/** Every object key in `value`, except inside tool arguments and audit details (those keys are the tools'). */
function ourKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(ourKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, entry]) => [key, ...(key === 'args' || key === 'details' ? [] : ourKeys(entry))]);
}

describe('JSON outputs: one naming style', () => {
  it('sessions --json and audit list --json use camelCase keys only', async () => {
    const { home, cwd } = freshWorkspace();
    expect((await runCli(['run', TASK, '--yes', '--json'], { env: cliEnv(home), cwd })).code).toBe(0);
    for (const args of [['sessions', '--json'], ['audit', 'list', '--json'], ['usage', '--json'], ['approvals', 'list', '--all', '--json']]) {
      const result = await runCli(args, { env: cliEnv(home), cwd });
      expect(result.code, args.join(' ')).toBe(0);
      expect(ourKeys(JSON.parse(result.stdout)).filter((key) => key.includes('_')), args.join(' ')).toEqual([]);
    }
    const sessions = JSON.parse((await runCli(['sessions', '--json'], { env: cliEnv(home), cwd })).stdout) as Array<Record<string, unknown>>;
    expect(sessions[0]).toMatchObject({ createdAt: expect.any(String), recentRuns: [{ sessionId: sessions[0]!.id, status: 'finished' }] });
  });
});

describe('deckhand completion', () => {
  it('bash: the script, sourced in a real bash, completes commands, subcommands and options', async () => {
    const { home, cwd } = freshWorkspace();
    const complete = (line: string) =>
      `COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _deckhand; echo "\${COMPREPLY[*]}"`;
    const script = [
      `source <('${process.execPath}' '${CLI}' completion bash)`,
      complete("deckhand ap"),
      complete("deckhand approvals ''"),
      complete("deckhand run 'a task' --qui"),
      complete("deckhand mcp --"),
    ].join('\n');
    const result = await bash(script, cliEnv(home), cwd);
    expect(result.stderr).toBe('');
    const [top, approvals, run, mcp] = result.stdout.trimEnd().split('\n');
    expect(top).toBe('approvals');
    expect(approvals!.split(' ')).toEqual(expect.arrayContaining(['list', 'approve', 'deny', 'answer']));
    expect(run).toBe('--quiet');
    expect(mcp!.split(' ')).toEqual(expect.arrayContaining(['--http', '--port', '--help']));
  });

  it('zsh and fish scripts name every command; an unknown shell is bad usage', async () => {
    const { home, cwd } = freshWorkspace();
    const zsh = await runCli(['completion', 'zsh'], { env: cliEnv(home), cwd });
    expect(zsh.stdout).toMatch(/^#compdef deckhand/);
    expect(zsh.stdout).toContain('compdef _deckhand deckhand');
    const fish = await runCli(['completion', 'fish'], { env: cliEnv(home), cwd });
    for (const command of ['run', 'chat', 'resume', 'approvals', 'sessions', 'servers', 'mcp', 'doctor', 'completion']) {
      expect(fish.stdout).toContain(`-a ${command} -d`);
    }
    expect(fish.stdout).toMatch(/__fish_seen_subcommand_from run' -s q -l quiet/);
    const bad = await runCli(['completion', 'powershell'], { env: cliEnv(home), cwd });
    expect(bad.code).toBe(2);
  });
});

describe('deckhand servers', () => {
  it('exits 1 when a configured server failed to start, still listing the others', async () => {
    const { home, cwd } = freshWorkspace();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm'], mcpServers: { ghost: { command: 'deckhand-no-such-command' } } }));
    const result = await runCli(['servers'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/crm {2}✓ ready/);
  });
});
