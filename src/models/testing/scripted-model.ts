import type { Model, ModelPart, ModelRequest, ToolCall } from '../types.js';
import type { FinishReason, Usage } from '../../contracts/index.js';

/** One scripted model turn: text and/or tool calls, with the usage to report. */
export interface ScriptedTurn {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCall[];
  readonly usage?: Usage;
}

/**
 * A model that plays back per-step responses and records every request, for tests and benchmarks.
 * It makes no network calls and adds no latency. `assertComplete()` fails when turns were left unplayed.
 */
export class ScriptedModel implements Model {
  readonly id = 'scripted:test';
  readonly provider = 'scripted';
  readonly modelName = 'test';
  readonly requests: ModelRequest[] = [];
  private next = 0;

  constructor(
    private readonly turns: readonly ScriptedTurn[],
    private readonly options: { recordRequests?: boolean; loop?: boolean } = {},
  ) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelPart> {
    // The loop appends to one transcript array; record a snapshot of what this request actually saw.
    if (this.options.recordRequests !== false) this.requests.push({ ...request, messages: [...request.messages] });
    const index = this.options.loop ? this.next % this.turns.length : this.next;
    const turn = this.turns[index];
    this.next += 1;
    if (!turn) throw new Error(`ScriptedModel has no turn ${index + 1} (scripted ${this.turns.length}).`);
    if (turn.text) yield { type: 'text-delta', text: turn.text };
    for (const call of turn.toolCalls ?? []) yield { type: 'tool-call', call };
    const finishReason: FinishReason = turn.toolCalls?.length ? 'tool-calls' : 'stop';
    yield { type: 'finish', usage: turn.usage ?? { inputTokens: 0, outputTokens: 0 }, finishReason };
  }

  assertComplete(): void {
    if (this.next < this.turns.length) {
      throw new Error(`ScriptedModel: ${this.turns.length - this.next} scripted turn(s) were never requested.`);
    }
  }
}

/** Shorthand for a scripted tool call. */
export function toolCall(name: string, input: Record<string, unknown>, id = `call_${name}_${Math.random().toString(36).slice(2, 8)}`): ToolCall {
  return { id, name, input };
}
