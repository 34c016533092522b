/**
 * @module Cold start: from spawning `deckhand run "<task>" --model openai-chat:gpt-4.1-mini` to the arrival of its
 * first `POST /v1/chat/completions` at a local fake OpenAI endpoint in this process, with a fresh
 * `DECKHAND_HOME` (the run creates, migrates and seeds the database) and with an existing one. Baselines in the
 * same process: `node -e ""` (the runtime alone), `deckhand --version` (the runtime plus loading the CLI
 * bundle), and `McpHost.start` of the built-in servers in this process (spawn to tools listed: in their one
 * shared process, as runs start them, and each in a process of its own), against the same for the bare SDK
 * echo server. One more row shows what a V8 compile cache (`NODE_COMPILE_CACHE`, the
 * environment form of `module.enableCompileCache()`) would save the CLI process.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { StdioServerConfig } from '../src/config/schema.js';
import { SHARED_PROCESS, type SharedMemberConfig, type SharedServerProcessSpec, sharedProcessOf } from '../src/config/shared-process.js';
import { McpHost } from '../src/mcp/host.js';
import { openStore } from '../src/store/database.js';
import { startFakeOpenAI } from './fake-openai.js';
import { preparedHome, repoFile } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { round, type Summary, summarize } from './stats.js';

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';
const RUNS = 10;
const HOST_STARTS = 10;
const RUN_TIMEOUT_MS = 30_000;

export interface ColdStartResult {
  readonly runs: number;
  /** Spawn to first model request, fresh `DECKHAND_HOME` (creates and seeds the DB), milliseconds. */
  readonly firstRequestFreshHomeMs: Summary;
  /** Spawn to first model request, existing database, milliseconds. */
  readonly firstRequestExistingDbMs: Summary;
  /** Spawn to process exit after the one-step run, existing database, milliseconds. */
  readonly exitExistingDbMs: Summary;
  /** As `firstRequestExistingDbMs`, with `NODE_COMPILE_CACHE` set for the CLI process (what `module.enableCompileCache()` would give). */
  readonly firstRequestCompileCacheMs: Summary;
  /** `node -e ""`, spawn to exit. */
  readonly nodeBareMs: Summary;
  /** `node bin/deckhand.js --version`, spawn to exit: the runtime plus loading the CLI bundle. */
  readonly cliVersionMs: Summary;
  /** `McpHost.start` of the built-in servers in this process, until their tools are listed: as runs start them (one shared process). */
  readonly hostStartBuiltinsMs: Summary;
  /** The same, each built-in server in a process of its own (how they started before the shared process). */
  readonly hostStartBuiltinsSeparateMs: Summary;
  /** `McpHost.start` of the bare SDK echo server (unbundled), the same way: the baseline for one server. */
  readonly hostStartEchoMs: Summary;
  /** `McpHost.start` of the crm server alone. */
  readonly hostStartCrmMs: Summary;
  /** As `hostStartBuiltinsMs`, with `NODE_COMPILE_CACHE` in the servers' environment (cache filled beforehand). */
  readonly hostStartBuiltinsCompileCacheMs: Summary;
  /** `openStore` on an existing database in this process (migration and seed checks of the host and every built-in server): what the CLI does at start; the servers it spawns skip it. */
  readonly openStoreExistingMs: Summary;
  readonly builtinServers: readonly string[];
  /** `firstRequestExistingDbMs` over `nodeBareMs`, medians: the target is at most {@link TARGET_FIRST_REQUEST_OVER_NODE}. */
  readonly firstRequestOverNodeBare: number;
  /** `firstRequestFreshHomeMs` over `nodeBareMs`, medians. */
  readonly firstRequestFreshOverNodeBare: number;
  readonly targetFirstRequestOverNodeBare: number;
}

/** Issue 14: `deckhand run` reaches its first model request, all built-in servers started, within 15× `node -e ""`. */
export const TARGET_FIRST_REQUEST_OVER_NODE = 15;

/** Each built-in server's config without its shared process: every one spawned on its own. */
function separately(servers: Record<string, StdioServerConfig>): Record<string, StdioServerConfig> {
  return Object.fromEntries(
    Object.entries(servers).map(([name, config]) => {
      const { [SHARED_PROCESS]: _shared, ...own } = config as SharedMemberConfig;
      return [name, own];
    }),
  );
}

/** The servers with `env` added, to their shared process's environment too. */
function withEnv(servers: Record<string, StdioServerConfig>, env: Record<string, string>): Record<string, StdioServerConfig> {
  const specs = new Map<SharedServerProcessSpec, SharedServerProcessSpec>();
  const result: Record<string, SharedMemberConfig> = {};
  for (const [name, config] of Object.entries(servers)) {
    const spec = sharedProcessOf(config);
    if (spec && !specs.has(spec)) specs.set(spec, { ...spec, env: { ...spec.env, ...env } });
    result[name] = { ...config, env: { ...config.env, ...env }, ...(spec ? { [SHARED_PROCESS]: specs.get(spec)! } : {}) };
  }
  return result;
}

/** Resolves with the exit time, or rejects (after ending the child) when it runs too long. */
function exitOf(child: ChildProcess, resources: BenchResources): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void resources.end(child);
      reject(new Error(`child ${child.pid} ran longer than ${RUN_TIMEOUT_MS} ms`));
    }, RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, at: performance.now() });
    });
  });
}

/** `McpHost.start` until every server's tools are listed; throws when one failed. */
async function timeHostStart(resources: BenchResources, servers: Record<string, StdioServerConfig>): Promise<number> {
  const started = performance.now();
  const host = await McpHost.start({ servers });
  const elapsed = performance.now() - started;
  const failures = host.failures();
  await resources.adopt(() => host.close())();
  if (failures.length > 0) throw new Error(`McpHost.start: ${failures.map((failure) => failure.error).join('; ')}`);
  return elapsed;
}

async function spawnToExit(resources: BenchResources, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  const child = resources.spawn(process.execPath, args, {
    cwd,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '' },
  });
  const { code, at } = await exitOf(child, resources);
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}`);
  return at - started;
}

/** Runs the cold-start benchmark. Takes about 12 s on two shared cores. */
export async function benchColdStart(resources: BenchResources): Promise<ColdStartResult> {
  const cwd = resources.tempDir('cwd'); // no .env, no deckhand.json: the defaults a first-time user gets
  const bin = repoFile('bin', 'deckhand.js');
  const fake = await startFakeOpenAI();
  try {
    const deckhandRun = async (
      home: string,
      extraEnv: Record<string, string> = {},
    ): Promise<{ firstRequestMs: number; exitMs: number }> => {
      const arrival = fake.nextRequest();
      const started = performance.now();
      const child = resources.spawn(process.execPath, [bin, 'run', TASK, '--model', 'openai-chat:gpt-4.1-mini'], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          DECKHAND_HOME: home,
          OPENAI_API_KEY: 'test',
          OPENAI_BASE_URL: fake.baseUrl,
          ...extraEnv,
        },
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = exitOf(child, resources);
      const first = await Promise.race([arrival, exited.then(() => undefined)]);
      const exit = await exited;
      if (first === undefined || exit.code !== 0 || !output.includes('done')) {
        throw new Error(`deckhand run (pid ${child.pid}) exited ${exit.code} without a normal run:\n${output}`);
      }
      return { firstRequestMs: first - started, exitMs: exit.at - started };
    };

    // Untimed: brings dist/ and node_modules into the page cache, leaves a home with a database, and fills
    // the compile cache.
    const existingHome = resources.tempDir('existing-home');
    const compileCache = { NODE_COMPILE_CACHE: resources.tempDir('compile-cache') };
    await deckhandRun(existingHome);
    await deckhandRun(existingHome, compileCache);

    const fresh: number[] = [];
    const existing: number[] = [];
    const existingExit: number[] = [];
    const cached: number[] = [];
    // The three kinds take turns, so a noisy stretch on the shared cores lands on all of them.
    for (let index = 0; index < RUNS; index++) {
      const home = resources.tempDir('fresh-home');
      fresh.push((await deckhandRun(home)).firstRequestMs);
      resources.removeDir(home);
      const warm = await deckhandRun(existingHome);
      existing.push(warm.firstRequestMs);
      existingExit.push(warm.exitMs);
      cached.push((await deckhandRun(existingHome, compileCache)).firstRequestMs);
    }

    const nodeBare: number[] = [];
    const cliVersion: number[] = [];
    for (let index = 0; index < RUNS; index++) {
      nodeBare.push(await spawnToExit(resources, ['-e', ''], cwd));
      cliVersion.push(await spawnToExit(resources, [bin, '--version'], cwd));
    }

    const { home, servers } = await preparedHome(resources);
    const echo: StdioServerConfig = {
      command: process.execPath,
      args: [repoFile('bench', 'echo-server.mjs')],
      env: {},
    };
    const cachedServers = withEnv(servers, compileCache);
    const separateServers = separately(servers);
    await timeHostStart(resources, cachedServers); // fills the servers' compile cache
    const hostStarts: number[] = [];
    const separateStarts: number[] = [];
    const echoStarts: number[] = [];
    const crmStarts: number[] = [];
    const cachedStarts: number[] = [];
    const storeOpens: number[] = [];
    for (let index = 0; index < HOST_STARTS; index++) {
      hostStarts.push(await timeHostStart(resources, servers));
      separateStarts.push(await timeHostStart(resources, separateServers));
      echoStarts.push(await timeHostStart(resources, { echo }));
      crmStarts.push(await timeHostStart(resources, { crm: servers.crm! }));
      cachedStarts.push(await timeHostStart(resources, cachedServers));
      const started = performance.now();
      const store = await openStore({ file: join(home, 'deckhand.db') });
      storeOpens.push(performance.now() - started);
      await store.close();
    }

    return {
      runs: RUNS,
      firstRequestFreshHomeMs: summarize(fresh),
      firstRequestExistingDbMs: summarize(existing),
      exitExistingDbMs: summarize(existingExit),
      firstRequestCompileCacheMs: summarize(cached),
      nodeBareMs: summarize(nodeBare),
      cliVersionMs: summarize(cliVersion),
      hostStartBuiltinsMs: summarize(hostStarts),
      hostStartBuiltinsSeparateMs: summarize(separateStarts),
      hostStartEchoMs: summarize(echoStarts),
      hostStartCrmMs: summarize(crmStarts),
      hostStartBuiltinsCompileCacheMs: summarize(cachedStarts),
      openStoreExistingMs: summarize(storeOpens),
      builtinServers: Object.keys(servers),
      firstRequestOverNodeBare: round(summarize(existing).p50 / summarize(nodeBare).p50, 1),
      firstRequestFreshOverNodeBare: round(summarize(fresh).p50 / summarize(nodeBare).p50, 1),
      targetFirstRequestOverNodeBare: TARGET_FIRST_REQUEST_OVER_NODE,
    };
  } finally {
    await fake.close();
  }
}
