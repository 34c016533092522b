/**
 * @module The agent's own tools, implemented in the host and offered beside the MCP tools under the reserved
 * server name `deckhand`: `extract_entities`, `summarize_state` and `ask_user`.
 */
import { z } from 'zod';
import { extractEntities } from '../models/offline/index.js';
import type { ModelMessage } from '../models/types.js';
import type { HintedToolExecutor, ToolAddress, ToolExecutor, ToolHints, ToolOutcome, ToolSpec } from '../contracts/index.js';
import { getOwn } from '../shared/get-own.js';
import { ASK_USER_SERVER, ASK_USER_TOOL } from './policy-gate.js';
import { clip, defaultDisplayName, describeEntities, digestMessages, entityLists, formatCall } from './turn-digest.js';

/** The server name of the host's own tools; an MCP server configured under this name is not offered. */
export const OWN_TOOLS_SERVER = ASK_USER_SERVER;

/** Nothing here writes or reaches outside the process; `ask_user` only asks (the gate pauses the run for it). */
const READ_ONLY: ToolHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const TextInputSchema = z.object({ text: z.string() });
const QuestionInputSchema = z.object({ question: z.string().min(1) });

const SPECS: readonly ToolSpec[] = [
  {
    name: `${OWN_TOOLS_SERVER}__extract_entities`,
    description:
      'Pull the identifiers and values out of a piece of text (a customer message, an email, a note, a tool result): ' +
      'order ids, customer ids and names, email addresses, SKUs, issue ids, money amounts and dates. Returns JSON lists ' +
      'per kind (only kinds that were found). Use it to get exact ids before calling other tools. Instant; reads nothing else.',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', description: 'The text to read.' } },
      required: ['text'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
  },
  {
    name: `${OWN_TOOLS_SERVER}__summarize_state`,
    description:
      'A compact summary of the investigation so far: the summary of earlier turns of this session (older turns are ' +
      'summarised to save context) plus this task, the entities found and every tool called with a one-line result. ' +
      'Use it to re-orient in a long session before deciding the next step.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    annotations: READ_ONLY,
  },
  {
    name: `${OWN_TOOLS_SERVER}__${ASK_USER_TOOL}`,
    description:
      'Ask the person a clarifying question when a detail you need is missing and no tool can find it (which order, ' +
      'which customer, what an ambiguous request means). The run pauses until they answer; the answer comes back as ' +
      "this tool's result. Ask one clear, specific question. Do not use it to ask permission for an action: actions " +
      'that need approval are sent for approval automatically.',
    inputSchema: {
      type: 'object',
      properties: {
        question: {
          type: 'string',
          description: 'One clear question, e.g. "Which order do you mean: XYZ-789 or XYZ-790?"',
        },
      },
      required: ['question'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
  },
];

const ADDRESSES: Readonly<Record<string, ToolAddress>> = Object.fromEntries(
  SPECS.map((spec) => [spec.name, { server: OWN_TOOLS_SERVER, tool: spec.name.slice(OWN_TOOLS_SERVER.length + 2) }]),
);

export interface OwnToolsOptions {
  /** The run's transcript as the loop keeps it; read at call time (the loop appends to the same array). */
  readonly transcript: () => readonly ModelMessage[];
  /** The session's stored investigation summary (earlier turns, compacted), or null when there is none yet. */
  readonly summary: () => Promise<string | null>;
  /** How a model-facing tool name reads for people. Default: `server__tool` → `server.tool`. */
  readonly display?: (modelToolName: string) => string;
}

function invalidInput(tool: string, error: z.ZodError): ToolOutcome {
  const issue = error.issues[0];
  return {
    isError: true,
    text: `Invalid input for ${tool}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'unreadable'}.`,
  };
}

/**
 * The host-implemented tools as a tool executor. Calls never throw; bad input comes back as an `isError` the model
 * can fix. `ask_user` is answered by the policy gate (the run pauses as a pending question), so its `call` only
 * runs when no gate is in place and then explains that it needs one.
 */
export class OwnTools implements HintedToolExecutor {
  private readonly display: (modelToolName: string) => string;

  constructor(private readonly options: OwnToolsOptions) {
    this.display = options.display ?? defaultDisplayName;
  }

  specs(): readonly ToolSpec[] {
    return SPECS;
  }

  address(modelToolName: string): ToolAddress | undefined {
    return getOwn(ADDRESSES, modelToolName);
  }

  hints(modelToolName: string): ToolHints | undefined {
    return this.address(modelToolName) ? READ_ONLY : undefined;
  }

  async call(
    modelToolName: string,
    input: Record<string, unknown>,
    _options?: Parameters<ToolExecutor['call']>[2],
  ): Promise<ToolOutcome> {
    const tool = this.address(modelToolName)?.tool;
    switch (tool) {
      case 'extract_entities': {
        const parsed = TextInputSchema.safeParse(input);
        if (!parsed.success) return invalidInput(tool, parsed.error);
        const lists = entityLists(extractEntities(parsed.data.text));
        return { isError: false, text: JSON.stringify(lists), structured: lists };
      }
      case 'summarize_state':
        return { isError: false, text: await this.stateSummary() };
      case ASK_USER_TOOL: {
        const parsed = QuestionInputSchema.safeParse(input);
        if (!parsed.success) return invalidInput(tool, parsed.error);
        return {
          isError: true,
          text: 'ask_user needs a person to answer: it runs only with an approval gate, which pauses the run as a pending question. Ask in your reply instead.',
        };
      }
      default:
        return {
          isError: true,
          text: `Unknown tool '${modelToolName}'. Available: ${SPECS.map((spec) => spec.name).join(', ')}.`,
        };
    }
  }

  /** The stored summary of earlier turns, then an extractive digest of the current task (since the last user message). */
  private async stateSummary(): Promise<string> {
    const transcript = this.options.transcript();
    let start = transcript.length;
    while (start > 0 && transcript[start - 1]?.role !== 'user') start -= 1;
    const digest = digestMessages(transcript.slice(Math.max(0, start - 1)));
    const calls = digest.calls.filter((call) => call.result !== undefined);
    const earlier = (await this.options.summary())?.trim();
    return [
      'Earlier in this session:',
      earlier || '(nothing summarised yet: the earlier turns are all still in the conversation)',
      '',
      'This task:',
      digest.request ? `Asked: "${clip(digest.request, 300)}"` : 'Asked: (no task found)',
      `Entities: ${describeEntities(digest.entities) || 'none found yet'}`,
      calls.length > 0 ? `Tool calls (${calls.length}):` : 'Tool calls: none yet',
      ...calls.map((call) => `- ${formatCall(call, this.display)}`),
    ].join('\n');
  }
}

/**
 * The host's own tools and the MCP host's as one catalog, ours first. Tools of an MCP server configured under the
 * reserved name `deckhand` are left out (neither offered nor callable): the approval gate trusts that name.
 */
export class CompositeToolExecutor implements HintedToolExecutor {
  private hostSpecs: readonly ToolSpec[] | undefined;
  private combined: readonly ToolSpec[] = [];

  constructor(
    private readonly own: HintedToolExecutor,
    private readonly host: HintedToolExecutor,
  ) {}

  /** Cached until the host's catalog changes (it hands out a new array when it does). */
  specs(): readonly ToolSpec[] {
    const hostSpecs = this.host.specs();
    if (hostSpecs !== this.hostSpecs) {
      this.hostSpecs = hostSpecs;
      this.combined = [...this.own.specs(), ...hostSpecs.filter((spec) => !this.isReserved(spec.name))];
    }
    return this.combined;
  }

  address(modelToolName: string): ToolAddress | undefined {
    const own = this.own.address(modelToolName);
    if (own) return own;
    return this.isReserved(modelToolName) ? undefined : this.host.address(modelToolName);
  }

  hints(modelToolName: string): ToolHints | undefined {
    if (this.own.address(modelToolName)) return this.own.hints(modelToolName);
    return this.isReserved(modelToolName) ? undefined : this.host.hints(modelToolName);
  }

  call(...args: Parameters<HintedToolExecutor['call']>): Promise<ToolOutcome> {
    const [modelToolName] = args;
    if (this.own.address(modelToolName)) return this.own.call(...args);
    if (this.isReserved(modelToolName)) {
      return Promise.resolve({
        isError: true,
        text: `Unknown tool '${modelToolName}': the server name '${OWN_TOOLS_SERVER}' is reserved for the host's own tools.`,
      });
    }
    return this.host.call(...args);
  }

  private isReserved(modelToolName: string): boolean {
    return this.host.address(modelToolName)?.server === OWN_TOOLS_SERVER;
  }
}
