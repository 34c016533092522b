/**
 * @module The AI SDK's language-model-v4 types, derived from the public `ai` package so Deckhand does not
 * import `@ai-sdk/provider` (a transitive dependency) directly.
 */
import type { LanguageModel } from 'ai';

/** A provider model that speaks the AI SDK's language model specification v4. */
export type LanguageModelV4 = Extract<LanguageModel, { readonly specificationVersion: 'v4' }>;

/** The options of one `doStream` call. */
export type V4CallOptions = Parameters<LanguageModelV4['doStream']>[0];

/** The provider-neutral prompt `doStream` takes. */
export type V4Prompt = V4CallOptions['prompt'];

/** One message of a {@link V4Prompt}. */
export type V4Message = V4Prompt[number];

/** A tool offered to the model in a `doStream` call. */
export type V4Tool = NonNullable<V4CallOptions['tools']>[number];

type V4StreamResult = Awaited<ReturnType<LanguageModelV4['doStream']>>;

/** One part of the stream `doStream` returns. */
export type V4StreamPart = V4StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
