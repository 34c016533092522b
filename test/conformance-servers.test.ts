import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SERVER_NAMES } from '../src/config/schema.js';
import { CLI, cliEnv, freshWorkspace, REPO_ROOT, runCli } from './helpers/cli.js';

// The official MCP conformance suite's server scenarios (`conformance server`), run against every built-in server
// over Streamable HTTP, each started as a real `deckhand mcp <name> --http --port 0`. See docs/conformance.md.

const CONFORMANCE = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const SERVER_TIMEOUT_MS = 120_000;
const LISTEN_TIMEOUT_MS = 20_000;

/**
 * The scenarios any server can be held to. The suite's other server scenarios call fixture tools, resources and
 * prompts (`test_simple_text`, `test://static-text`, …) that only a purpose-built test server has; they are not
 * run, and no fixtures are added to the product.
 */
const GENERIC_SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'logging-set-level',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
] as const;

interface Check {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  readonly errorMessage?: string;
}

async function readResults(directory: string): Promise<Array<{ scenario: string; checks: Check[] }>> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name === 'checks.json');
  return Promise.all(
    files.map(async (file) => ({
      // `<output>/server-ping-2026-11-22T03-44-12-124Z/checks.json` → `ping`
      scenario: relative(directory, file.parentPath)
        .replace(/^server-/, '')
        .replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, ''),
      checks: JSON.parse(await readFile(join(file.parentPath, file.name), 'utf8')) as Check[],
    })),
  );
}

/** Resolves with the URL from `deckhand <name> MCP server listening on <url>` on the child's stderr. */
function listeningUrl(child: ChildProcess, name: string): Promise<string> {
  const pattern = new RegExp(`^deckhand ${name} MCP server listening on (http://127\\.0\\.0\\.1:\\d+/mcp)$`, 'm');
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no listening line in ${LISTEN_TIMEOUT_MS} ms; stderr:\n${stderr}`)),
      LISTEN_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const url = pattern.exec(stderr)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`deckhand mcp ${name} --http exited with ${code}; stderr:\n${stderr}`));
    });
  });
}

/** Runs one scenario with the official runner; resolves with its exit code and output. */
async function runScenario(
  url: string,
  scenario: string,
  outputDir: string,
): Promise<{ code: number | null; output: string }> {
  const runner = spawn(
    process.execPath,
    [CONFORMANCE, 'server', '--url', url, '--scenario', scenario, '-o', outputDir],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  runner.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  runner.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const [code] = (await once(runner, 'exit')) as [number | null];
  return { code, output };
}

describe.each(BUILTIN_SERVER_NAMES.map((name) => [name]))('conformance server: deckhand mcp %s --http', (name) => {
  let workDir: string;
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), `deckhand-conformance-${name}-`));
    server = spawn(process.execPath, [CLI, 'mcp', name, '--http', '--port', '0'], {
      cwd: workDir,
      env: cliEnv(join(workDir, 'home')),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    url = await listeningUrl(server, name);
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      // SIGTERM is a clean shutdown: sessions and the store closed, exit 0.
      expect(code).toBe(0);
    }
    await rm(workDir, { recursive: true, force: true });
  });

  it(
    `passes every check of the generic scenarios (${GENERIC_SCENARIOS.join(', ')})`,
    async () => {
      const outputDir = join(workDir, 'results');
      const runs: Array<{ scenario: string; code: number | null; output: string }> = [];
      for (const scenario of GENERIC_SCENARIOS)
        runs.push({ scenario, ...(await runScenario(url, scenario, outputDir)) });

      const results = await readResults(outputDir);
      const failing = results.flatMap(({ scenario, checks }) =>
        checks
          .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
          .map((check) => `${check.status} ${scenario} / ${check.id}: ${check.errorMessage ?? ''}`),
      );
      expect(failing).toEqual([]);
      expect(results.map((result) => result.scenario).sort()).toEqual([...GENERIC_SCENARIOS].sort());
      for (const { checks } of results)
        expect(checks.filter((check) => check.status === 'SUCCESS').length).toBeGreaterThan(0);
      for (const run of runs) expect(run.code, `${run.scenario}:\n${run.output.slice(-2000)}`).toBe(0);
    },
    SERVER_TIMEOUT_MS,
  );
});

describe('deckhand mcp --http: usage errors', () => {
  it.each([['70000'], ['-1'], ['8O80']])('rejects --port %s with exit 2 and the valid range', async (port) => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['mcp', 'crm', '--http', '--port', port], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a port from 0 to 65535');
  });

  it('rejects --port without --http with exit 2', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['mcp', 'crm', '--port', '0'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('add --http');
  });
});
