import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The official MCP conformance suite's client scenarios (`conformance client --suite core`), run against Deckhand's
// connection layer through test/conformance/deckhand-client.ts. See docs/conformance.md.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFORMANCE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const DRIVER = join(ROOT, 'test/conformance/deckhand-client.ts');
// The runner kills a client that has not finished its scenario within --timeout (30 s by default). The core suite
// starts its ~20 clients at once; on two shared cores at load 30+ an OAuth scenario's client can take longer than
// that just to start and walk the flow, and is then reported as never having made its token request.
const CLIENT_TIMEOUT_MS = 90_000;
const SUITE_TIMEOUT_MS = 300_000;

interface Check {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  readonly errorMessage?: string;
}

interface ScenarioResult {
  readonly scenario: string;
  readonly checks: readonly Check[];
}

/**
 * The runner's test servers listen on every interface; in a fresh network namespace (root only) only its own
 * loopback exists, so nothing is exposed. Falls back to a plain run where `unshare -n` is not allowed.
 */
function isolated(command: string, args: string[]): { command: string; args: string[] } {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  if (probe.status !== 0) return { command, args };
  return { command: 'unshare', args: ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', command, ...args] };
}

async function readResults(directory: string): Promise<ScenarioResult[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name === 'checks.json');
  return Promise.all(
    files.map(async (file) => ({
      // `<output>/auth/scope-step-up-2026-11-22T03-44-12-124Z/checks.json` → `auth/scope-step-up`
      scenario: relative(directory, file.parentPath).replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, ''),
      checks: JSON.parse(await readFile(join(file.parentPath, file.name), 'utf8')) as Check[],
    })),
  );
}

describe('conformance client --suite core', () => {
  let workDir: string;
  let runner: ChildProcess | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'deckhand-conformance-'));
  });

  afterAll(async () => {
    if (runner?.pid && runner.exitCode === null && runner.signalCode === null) {
      const exited = once(runner, 'exit');
      // The runner and the drivers it started share the process group it leads.
      process.kill(-runner.pid, 'SIGTERM');
      await exited;
    }
    await rm(workDir, { recursive: true, force: true });
  });

  it(
    'passes every check of every core scenario',
    async () => {
      // The runner executes the driver as a plain node program, so bundle it (our sources import `.js` paths).
      const bundle = join(workDir, 'deckhand-client.mjs');
      await build({
        entryPoints: [DRIVER],
        outfile: bundle,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        logLevel: 'warning',
        // Bundled CommonJS dependencies still call require(); give them one.
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      });
      // The runner splits --command on spaces.
      expect(`${process.execPath} ${bundle}`.split(' ')).toHaveLength(2);

      const run = async (selection: string[], outputDir: string) => {
        const { command, args } = isolated(process.execPath, [CONFORMANCE, 'client', '--command', `${process.execPath} ${bundle}`, '--timeout', String(CLIENT_TIMEOUT_MS), ...selection, '-o', outputDir]);
        runner = spawn(command, args, { cwd: workDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        runner.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
        });
        runner.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
        });
        const [exitCode] = (await once(runner, 'exit')) as [number | null];
        return { exitCode, output, results: await readResults(outputDir) };
      };
      const { exitCode, output, results } = await run(['--suite', 'core'], join(workDir, 'results'));
      const planned = Number(/Running core suite \((\d+) scenarios\)/.exec(output)?.[1]);
      // The suite's timing checks ("reconnected slightly late" warnings, "very late" failures) measure wall-clock
      // time, which the project never asserts on its own: on two shared cores a reconnect can be late for reasons that
      // say nothing about the client. A timing warning is tolerated; a scenario whose timing check failed is run again
      // on its own (the suite runs its scenarios in parallel), and must pass once in three tries: a client that
      // ignored the retry field would fail every time.
      const isTiming = (check: Check) => (check.status === 'WARNING' || check.status === 'FAILURE') && /timing/.test(check.id);
      const timingFailed = new Set(results.filter(({ checks }) => checks.some((check) => check.status === 'FAILURE' && isTiming(check))).map(({ scenario }) => scenario));
      const passedAlone = new Set<string>();
      for (const scenario of timingFailed) {
        for (let attempt = 1; attempt <= 3 && !passedAlone.has(scenario); attempt++) {
          const alone = await run(['--scenario', scenario.split('/').at(-1)!], join(workDir, `rerun-${attempt}`));
          if (alone.results.length > 0 && alone.results.every(({ checks }) => checks.every((check) => check.status !== 'FAILURE'))) passedAlone.add(scenario);
        }
      }
      const failing = results.flatMap(({ scenario, checks }) =>
        checks
          .filter((check) => (check.status === 'FAILURE' || check.status === 'WARNING') && !(isTiming(check) && (check.status === 'WARNING' || passedAlone.has(scenario))))
          .map((check) => `${check.status} ${scenario} / ${check.id}: ${check.errorMessage ?? ''}`),
      );
      expect(failing).toEqual([]);
      expect(results.map((result) => result.scenario).sort()).toHaveLength(planned);
      expect(planned).toBeGreaterThanOrEqual(18);
      // The runner's exit code counts warnings as failures, so it is checked only when there were no timing checks off.
      const timingOff = results.some(({ checks }) => checks.some(isTiming));
      if (!timingOff) expect(exitCode, output.slice(-4000)).toBe(0);
    },
    SUITE_TIMEOUT_MS,
  );
});
