/**
 * @module MCP tool-call round trip over stdio to our own `crm` server, against baselines in the same
 * process: the bare v2 SDK (`Client` + `StdioClientTransport` → `McpServer` with an `echo` tool) and raw
 * newline-delimited JSON-RPC with no SDK on either side. The 2 × 2 of {bare SDK client, `McpHost`} ×
 * {echo server, crm server} splits our extra time into host-side and server-side parts. Ours is crm as a run
 * reaches it: through \`McpHost\` with every built-in server started, so in their one shared process; crm alone in
 * a process of its own is shown beside it.
 *
 * Each call is timed alone (`performance.now()` before the call and after its promise settles), calls are
 * sequential, and the variants take turns in rounds so noise on the shared cores lands on all of them.
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { StdioServerConfig } from '../src/config/schema.js';
import { SHARED_PROCESS, type SharedMemberConfig } from '../src/config/shared-process.js';
import { McpHost } from '../src/mcp/host.js';
import { measureAllocation } from './allocation.js';
import { preparedHome, repoFile } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { round, type Summary, summarize } from './stats.js';

const WARMUP_CALLS = 300;
const ROUNDS = 20;
const CALLS_PER_ROUND = 250;
const ALLOCATION_CALLS = 500;
const ORDER_ID = 'XYZ-789';

/** One way of making the call; `call` resolves when the answer is back, `close` ends the server. */
interface CallVariant {
  readonly key: string;
  readonly label: string;
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export interface RoundTripVariantResult {
  readonly key: string;
  readonly label: string;
  /** Microseconds per call. */
  readonly us: Summary;
  /** Bytes allocated on the host process's V8 heap per call. */
  readonly allocatedPerCallBytes: number;
}

export interface McpRoundTripResult {
  readonly callsPerVariant: number;
  readonly variants: readonly RoundTripVariantResult[];
  /** Our p50 (`McpHost` → crm) minus the bare SDK echo p50, microseconds. */
  readonly oursMinusEchoP50Us: number;
  /** `McpHost` → echo minus bare SDK → echo: what the host layer adds. */
  readonly hostLayerP50Us: number;
  /** Bare SDK → crm minus bare SDK → echo: what the crm tool adds on the server (SQLite query, output schema). */
  readonly crmServerP50Us: number;
  /** Bare SDK → echo minus raw JSON-RPC: what the SDK adds on both ends. */
  readonly sdkOverRawP50Us: number;
  /** Ours (`McpHost` → crm, as runs reach it) over `McpHost` → echo, at p50: the target is at most {@link TARGET_OURS_OVER_ECHO}. */
  readonly oursOverHostEchoP50: number;
  readonly targetOursOverHostEcho: number;
}

/** Issue 14: a call to our read tools costs at most 1.3× the SDK echo server reached the same way. */
export const TARGET_OURS_OVER_ECHO = 1.3;

/** A built-in server's config without its shared process: spawned on its own, as before the shared process. */
function standalone(config: StdioServerConfig): StdioServerConfig {
  const { [SHARED_PROCESS]: _shared, ...own } = config as SharedMemberConfig;
  return own;
}

async function sdkClientVariant(
  resources: BenchResources,
  options: {
    key: string;
    label: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    tool: string;
    input: Record<string, unknown>;
  },
): Promise<CallVariant> {
  const client = new Client({ name: 'deckhand-bench', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command: options.command,
    args: options.args,
    env: { ...getDefaultEnvironment(), ...options.env },
    stderr: 'ignore',
  });
  const close = resources.adopt(() => client.close());
  await client.connect(transport);
  try {
    // Like any host, list tools first: the SDK client then validates structured results against output schemas.
    await client.listTools();
    const first = await client.callTool({ name: options.tool, arguments: options.input });
    if (first.isError) throw new Error(`${options.label}: first call failed: ${JSON.stringify(first.content)}`);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    key: options.key,
    label: options.label,
    call: async () => {
      await client.callTool({ name: options.tool, arguments: options.input });
    },
    close,
  };
}

async function hostVariant(
  resources: BenchResources,
  options: {
    key: string;
    label: string;
    name: string;
    /** Every server the host starts; `name` is the one called. */
    servers: Record<string, StdioServerConfig>;
    tool: string;
    input: Record<string, unknown>;
  },
): Promise<CallVariant> {
  const host = await McpHost.start({ servers: options.servers });
  const close = resources.adopt(() => host.close());
  const modelToolName = `${options.name}__${options.tool}`;
  try {
    const failure = host.failures()[0];
    if (failure) throw new Error(`${options.label}: ${failure.error}`);
    const first = await host.call(modelToolName, options.input, { toolCallId: 'bench-0' });
    if (first.isError) throw new Error(`${options.label}: first call failed: ${first.text}`);
  } catch (error) {
    await close();
    throw error;
  }
  let calls = 0;
  return {
    key: options.key,
    label: options.label,
    call: async () => {
      calls += 1;
      await host.call(modelToolName, options.input, { toolCallId: `bench-${calls}` });
    },
    close,
  };
}

/** Newline-delimited JSON-RPC to `bench/raw-echo-server.mjs`: the floor of a stdio round trip. */
async function rawVariant(resources: BenchResources): Promise<CallVariant> {
  const child: ChildProcess = resources.spawn(process.execPath, [repoFile('bench', 'raw-echo-server.mjs')], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  stdout.setEncoding('utf8');
  let buffered = '';
  let pending: (() => void) | undefined;
  stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      JSON.parse(line);
      const resolve = pending;
      pending = undefined;
      resolve?.();
      newline = buffered.indexOf('\n');
    }
  });
  let id = 0;
  const call = () =>
    new Promise<void>((resolve) => {
      pending = resolve;
      id += 1;
      stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: ORDER_ID } } })}\n`,
      );
    });
  await call();
  return {
    key: 'raw',
    label: 'raw JSON-RPC over stdio, no SDK (floor)',
    call,
    close: async () => {
      stdin.end();
      await resources.end(child);
    },
  };
}

/** Runs the round-trip benchmark. Takes about 5 s on two shared cores. */
export async function benchMcpRoundTrip(resources: BenchResources): Promise<McpRoundTripResult> {
  const { servers } = await preparedHome(resources);
  const crm = servers.crm!;
  const echoConfig: StdioServerConfig = {
    command: process.execPath,
    args: [repoFile('bench', 'echo-server.mjs')],
    env: {},
  };
  const echoArgs = { text: ORDER_ID };
  const crmArgs = { order_id: ORDER_ID };

  const variants: CallVariant[] = [];
  try {
    variants.push(await rawVariant(resources));
    variants.push(
      await sdkClientVariant(resources, {
        key: 'sdkEcho',
        label: 'bare SDK Client → SDK echo server (baseline)',
        command: echoConfig.command,
        args: echoConfig.args,
        tool: 'echo',
        input: echoArgs,
      }),
    );
    variants.push(
      await sdkClientVariant(resources, {
        key: 'sdkCrm',
        label: 'bare SDK Client → our crm server',
        command: crm.command,
        args: crm.args,
        env: crm.env,
        tool: 'getCustomerEmail',
        input: crmArgs,
      }),
    );
    variants.push(
      await hostVariant(resources, {
        key: 'hostEcho',
        label: 'McpHost → SDK echo server (baseline of the target)',
        name: 'echo',
        servers: { echo: echoConfig },
        tool: 'echo',
        input: echoArgs,
      }),
    );
    variants.push(
      await hostVariant(resources, {
        key: 'hostCrm',
        label: 'McpHost → our crm server, as runs reach it (ours)',
        name: 'crm',
        // What `deckhand run` starts: every built-in server, in the one shared process.
        servers,
        tool: 'getCustomerEmail',
        input: crmArgs,
      }),
    );
    variants.push(
      await hostVariant(resources, {
        key: 'hostCrmAlone',
        label: 'McpHost → our crm server alone, its own process over stdio',
        name: 'crm',
        servers: { crm: standalone(crm) },
        tool: 'getCustomerEmail',
        input: crmArgs,
      }),
    );

    for (const variant of variants) for (let index = 0; index < WARMUP_CALLS; index++) await variant.call();

    const samples = new Map(variants.map((variant) => [variant.key, [] as number[]]));
    for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
      // Alternate the order so that no variant always runs right after the same neighbour.
      const order = roundIndex % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const times = samples.get(variant.key)!;
        for (let index = 0; index < CALLS_PER_ROUND; index++) {
          const started = performance.now();
          await variant.call();
          times.push((performance.now() - started) * 1_000);
        }
      }
    }

    const results: RoundTripVariantResult[] = [];
    for (const variant of variants) {
      const allocation = await measureAllocation(async () => {
        for (let index = 0; index < ALLOCATION_CALLS; index++) await variant.call();
      });
      results.push({
        key: variant.key,
        label: variant.label,
        us: summarize(samples.get(variant.key)!),
        allocatedPerCallBytes: Math.round(allocation.bytes / ALLOCATION_CALLS),
      });
    }
    const p50 = (key: string) => results.find((result) => result.key === key)!.us.p50;
    return {
      callsPerVariant: ROUNDS * CALLS_PER_ROUND,
      variants: results,
      oursMinusEchoP50Us: round(p50('hostCrm') - p50('sdkEcho'), 1),
      hostLayerP50Us: round(p50('hostEcho') - p50('sdkEcho'), 1),
      crmServerP50Us: round(p50('sdkCrm') - p50('sdkEcho'), 1),
      sdkOverRawP50Us: round(p50('sdkEcho') - p50('raw'), 1),
      oursOverHostEchoP50: round(p50('hostCrm') / p50('hostEcho'), 2),
      targetOursOverHostEcho: TARGET_OURS_OVER_ECHO,
    };
  } finally {
    await Promise.all(variants.map((variant) => variant.close().catch(() => {})));
  }
}
