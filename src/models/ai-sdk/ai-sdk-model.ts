import { ProviderError } from '../../shared/errors.js';
import { malformedResponseError, type ProviderEndpoint, toProviderError } from '../provider-errors.js';
import type { Model, ModelPart, ModelRequest, ModelStreamOptions, ToolCall } from '../types.js';
import type { FinishReason, Usage } from '../../contracts/index.js';
import { toV4Prompt, toV4Tools } from './convert-prompt.js';
import type { LanguageModelV4, V4StreamPart } from './v4-types.js';

/** Options of {@link AiSdkModel}. */
export interface AiSdkModelOptions {
  /**
   * The provider model to drive, e.g. `createOpenAI({ apiKey }).chat('gpt-4.1-mini')`, or a function that imports
   * the provider package and builds it: called once, on the first request, so an unused provider costs nothing.
   */
  readonly languageModel: LanguageModelV4 | (() => Promise<LanguageModelV4>);
  /** Where requests go; used to word errors. `provider`, `modelId` and `modelName` also name this model. */
  readonly endpoint: ProviderEndpoint;
}

type V4FinishReason = Extract<V4StreamPart, { type: 'finish' }>['finishReason']['unified'];

/**
 * A {@link Model} over an AI SDK v7 provider model. It calls `doStream` directly, one request per agent
 * step: the loop is ours (approvals, budgets and persistence live between steps), so the SDK's own
 * multi-step loop and telemetry would only add overhead (retries and fallbacks are `ResilientModel`'s and
 * `FallbackModel`'s, one level up). Errors of every kind surface as one
 * `ProviderError` with a readable one-line message; an abort surfaces as the signal's reason.
 */
export class AiSdkModel implements Model {
  readonly id: string;
  readonly provider: string;
  readonly modelName: string;
  private readonly source: LanguageModelV4 | (() => Promise<LanguageModelV4>);
  private loaded: Promise<LanguageModelV4> | undefined;
  private readonly endpoint: ProviderEndpoint;

  constructor(options: AiSdkModelOptions) {
    this.source = options.languageModel;
    this.endpoint = options.endpoint;
    this.id = options.endpoint.modelId;
    this.provider = options.endpoint.provider;
    this.modelName = options.endpoint.modelName;
  }

  async *stream(request: ModelRequest, options: ModelStreamOptions = {}): AsyncIterable<ModelPart> {
    const { signal } = options;
    signal?.throwIfAborted();
    try {
      const tools = toV4Tools(request.tools);
      const languageModel = await this.languageModel();
      const { stream } = await languageModel.doStream({
        prompt: toV4Prompt(request.messages),
        ...(tools ? { tools } : {}),
        ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      });
      let producedOutput = false;
      for await (const part of stream) {
        if (part.type === 'text-delta') {
          if (part.delta.length === 0) continue;
          producedOutput = true;
          yield { type: 'text-delta', text: part.delta };
        } else if (part.type === 'tool-call') {
          // Provider-executed tools (web search and the like) are not ours to run.
          if (part.providerExecuted) continue;
          producedOutput = true;
          yield { type: 'tool-call', call: this.toToolCall(part.toolCallId, part.toolName, part.input) };
        } else if (part.type === 'error') {
          throw part.error;
        } else if (part.type === 'finish') {
          // A stream that ends without a completion signal and without any output was not the provider's
          // format at all (an HTML page, a different API behind the base URL).
          if (part.finishReason.unified === 'interrupted' && !producedOutput)
            throw malformedResponseError(this.endpoint);
          yield {
            type: 'finish',
            usage: toUsage(part.usage),
            finishReason: toFinishReason(part.finishReason.unified),
          };
          return;
        }
      }
      throw malformedResponseError(this.endpoint);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toProviderError(error, this.endpoint);
    }
  }

  /** Imports and builds the provider model, and loads Node's fetch (see {@link Model.prepare}). */
  async prepare(): Promise<void> {
    await this.languageModel();
    // Node loads undici, behind fetch and its Headers, Request and Response, when one of them is first touched.
    void globalThis.Headers;
  }

  private languageModel(): Promise<LanguageModelV4> {
    if (typeof this.source !== 'function') return Promise.resolve(this.source);
    this.loaded ??= this.source();
    return this.loaded;
  }

  /** Parses the JSON-encoded tool input; a model that sends something else is a provider fault, not a tool's. */
  private toToolCall(id: string, name: string, input: string): ToolCall {
    // Some OpenAI-compatible servers send an empty string for a call without arguments.
    if (input.trim() === '') return { id, name, input: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new ProviderError(
        `${this.endpoint.provider} model returned malformed arguments for tool ${name} (not JSON): retry, or use a model with reliable tool calling`,
        undefined,
        { cause: error },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ProviderError(
        `${this.endpoint.provider} model returned malformed arguments for tool ${name} (not a JSON object): retry, or use a model with reliable tool calling`,
        undefined,
      );
    }
    return { id, name, input: parsed as Record<string, unknown> };
  }
}

type V4Usage = Extract<V4StreamPart, { type: 'finish' }>['usage'];

/** The provider's token counts; cache and reasoning counts only where the provider reports them. */
function toUsage(usage: V4Usage): Usage {
  const { cacheRead, cacheWrite } = usage.inputTokens;
  const { reasoning } = usage.outputTokens;
  return {
    inputTokens: usage.inputTokens.total ?? 0,
    outputTokens: usage.outputTokens.total ?? 0,
    ...(cacheRead ? { cachedInputTokens: cacheRead } : {}),
    ...(cacheWrite ? { cacheWriteInputTokens: cacheWrite } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
  };
}

function toFinishReason(reason: V4FinishReason): FinishReason {
  // `interrupted` (the stream ended without a finish signal, after some output) has no closer match.
  return reason === 'interrupted' ? 'other' : reason;
}
