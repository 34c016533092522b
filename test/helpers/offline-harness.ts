/**
 * @module The offline planner driven through the real agent loop, in-process: MCP servers connected over linked
 * in-memory transports (the built-in ones on a `:memory:` store with the demo data, or any other `McpServer`),
 * every side effect through the normal approval gate (approved as `--yes` would), and every event collected.
 */
import type { Client } from '@modelcontextprotocol/client';
import type { McpServer } from '@modelcontextprotocol/server';
import type { RunEvent, ToolAddress, ToolExecutor, ToolHints, ToolOutcome, ToolSpec } from '../../src/contracts/index.js';
import { PolicyGate } from '../../src/agent/policy-gate.js';
import { runAgent } from '../../src/agent/run-agent.js';
import { SYSTEM_PROMPT } from '../../src/agent/system-prompt.js';
import { toOutcome } from '../../src/mcp/host.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import type { ModelMessage } from '../../src/models/types.js';
import { BUILTIN_SERVERS } from '../../src/servers/registry.js';
import { connectInProcess } from '../../src/servers/testing/mcp-client.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { openStore, type Store } from '../../src/store/database.js';

/** One tool call as a server received it. */
export interface ExecutedCall {
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly outcome: ToolOutcome;
}

/** A {@link ToolExecutor} over MCP clients connected in-process, recording every call it runs. */
export class InProcessTools implements ToolExecutor {
  readonly executed: ExecutedCall[] = [];
  private constructor(
    private readonly clients: ReadonlyMap<string, Client>,
    private readonly catalog: readonly ToolSpec[],
  ) {}

  /** Connects to each server and lists its tools once, named `server__tool` as the host names them. */
  static async connect(servers: Readonly<Record<string, McpServer>>): Promise<InProcessTools> {
    const clients = new Map<string, Client>();
    const catalog: ToolSpec[] = [];
    for (const [name, server] of Object.entries(servers)) {
      const client = await connectInProcess(server);
      clients.set(name, client);
      const { tools } = await client.listTools();
      for (const tool of tools) {
        catalog.push({
          name: `${name}__${tool.name}`,
          description: tool.description ?? '',
          inputSchema: tool.inputSchema as Record<string, unknown>,
          ...(tool.annotations ? { annotations: tool.annotations as ToolHints } : {}),
        });
      }
    }
    return new InProcessTools(clients, catalog);
  }

  specs(): readonly ToolSpec[] {
    return this.catalog;
  }

  address(modelToolName: string): ToolAddress | undefined {
    const [server = '', tool = ''] = modelToolName.split('__');
    return this.clients.has(server) ? { server, tool } : undefined;
  }

  hints(modelToolName: string): ToolHints | undefined {
    return this.catalog.find((spec) => spec.name === modelToolName)?.annotations;
  }

  async call(modelToolName: string, input: Record<string, unknown>, options: { idempotencyKey?: string }): Promise<ToolOutcome> {
    const address = this.address(modelToolName);
    const client = address ? this.clients.get(address.server) : undefined;
    if (!address || !client) return { isError: true, text: `Unknown tool ${modelToolName}.` };
    const spec = this.catalog.find((candidate) => candidate.name === modelToolName);
    const properties = (spec?.inputSchema.properties ?? {}) as Record<string, unknown>;
    const args = options.idempotencyKey && Object.hasOwn(properties, 'idempotency_key') && input.idempotency_key === undefined ? { ...input, idempotency_key: options.idempotencyKey } : input;
    const outcome = toOutcome((await client.callTool({ name: address.tool, arguments: args })) as Parameters<typeof toOutcome>[0]);
    this.executed.push({ name: modelToolName, input, outcome });
    return outcome;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }
}

/** What one run produced. */
export interface OfflineRun {
  readonly events: RunEvent[];
  readonly end: Extract<RunEvent, { type: 'run-end' }>;
  /** Calls the servers ran, in order. */
  readonly executed: readonly ExecutedCall[];
  /** The transcript after the run, for a follow-up message. */
  readonly messages: ModelMessage[];
}

let runNumber = 0;

/** Runs `task` with the offline planner over `tools`, approving side effects through the policy gate (`--yes`). */
export async function runOffline(options: {
  task: string;
  tools: InProcessTools;
  store: Store;
  messages?: ModelMessage[];
}): Promise<OfflineRun> {
  const { task, tools, store } = options;
  const messages = options.messages ?? [{ role: 'system', content: SYSTEM_PROMPT }];
  messages.push({ role: 'user', content: task });
  const gate = new PolicyGate({
    approvals: new ApprovalStore(store.db),
    rules: [],
    yes: true,
    isTrusted: () => true,
    hints: (name) => tools.hints(name),
    expiresAfterHours: 24,
  });
  const before = tools.executed.length;
  const events: RunEvent[] = [];
  runNumber += 1;
  for await (const event of runAgent({ model: new OfflineModel(), tools, gate, messages, task, sessionId: 'offline-suite', runId: `run-${runNumber}` })) {
    events.push(event);
  }
  const end = events.at(-1);
  if (end?.type !== 'run-end') throw new Error('the run did not end with run-end');
  return { events, end, executed: tools.executed.slice(before), messages };
}

/**
 * The built-in operations servers on a fresh `:memory:` store with the demo data, connected in-process. `env` is
 * what the servers read from the environment (the devops server's `DECKHAND_DEVOPS_CONFIG`); default none.
 */
export async function builtinWorld(
  options: { env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<{ store: Store; tools: InProcessTools; close(): Promise<void> }> {
  const store = await openStore({ file: ':memory:' });
  const serverOptions = { env: options.env ?? {} };
  const servers = Object.fromEntries(Object.entries(BUILTIN_SERVERS).map(([name, factory]) => [name, factory(store.db, '0.0.0-test', serverOptions)]));
  const tools = await InProcessTools.connect(servers);
  return {
    store,
    tools,
    close: async () => {
      await tools.close();
      await store.close();
    },
  };
}
