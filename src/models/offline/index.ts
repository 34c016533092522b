/**
 * @module The `offline` model: a deterministic planner that works a task out from the tool catalog alone, with no
 * network and no API key. It is the default model when no provider key is configured.
 */
import type { Model, ModelPart, ModelRequest, ModelStreamOptions } from '../types.js';
import { decide } from './planner.js';

export { type Entities, extractEntities } from './entities.js';
export { decide, type PlannerDecision } from './planner.js';

/** Words per streamed text delta, so the CLI and web UI show the answer arriving as they would from a provider. */
const WORDS_PER_DELTA = 6;

/** The planner reads no prompt and sends nothing anywhere, so there are no tokens to count. */
const NO_TOKENS = { inputTokens: 0, outputTokens: 0 } as const;

function textDeltas(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const deltas: string[] = [];
  for (let index = 0; index < words.length; index += WORDS_PER_DELTA) {
    deltas.push(words.slice(index, index + WORDS_PER_DELTA).join(''));
  }
  return deltas;
}

/**
 * The built-in planner as a {@link Model}. Each `stream` call re-derives the plan from the request's messages (it
 * keeps no state), so it resumes cleanly after approvals and restarts. The same request always yields the same
 * parts: tool call ids are `offline_<step>_<n>`, and usage is zero tokens (no model read a prompt; it costs nothing). Throws the signal's reason when aborted; never makes a network call.
 */
export class OfflineModel implements Model {
  readonly id = 'offline';
  readonly provider = 'offline';
  readonly modelName = 'offline';

  async *stream(request: ModelRequest, options: ModelStreamOptions = {}): AsyncIterable<ModelPart> {
    options.signal?.throwIfAborted();
    const decision = decide(request);
    for (const text of textDeltas(decision.text)) yield { type: 'text-delta', text };
    for (const call of decision.toolCalls) yield { type: 'tool-call', call };
    yield {
      type: 'finish',
      usage: NO_TOKENS,
      finishReason: decision.toolCalls.length > 0 ? 'tool-calls' : 'stop',
    };
  }
}
