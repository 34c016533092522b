/**
 * @module Asks a model to judge facts: the server's own (`devops.model`, through the provider layer, counted
 * against `devops.budgetUsd`) or, without one, the client's through MCP sampling. Every call is recorded in
 * `devops_model_usage`. It never decides anything itself: callers fall back to rules when it answers nothing usable.
 */
import { randomUUID } from 'node:crypto';
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { loadPriceRegistry } from '../../models/price-registry.js';
import { costOf, PriceBook, type PriceTable } from '../../models/pricing.js';
import type { Model } from '../../models/types.js';
import type { Usage } from '../../contracts/index.js';
import { errorMessage } from '../../shared/errors.js';
import type { DevopsDatabase } from './tables.js';

/** The server's own model and its budget; absent when `devops.model` is not set (or could not be built). */
export interface OwnModel {
  readonly model: Model;
  readonly budgetUsd: number;
  /** The host's `pricing` overrides (`DECKHAND_PRICING`), which win over the registry as they do in the host. */
  readonly pricing?: PriceTable | undefined;
}

export interface AskOptions {
  readonly db: Kysely<DevopsDatabase>;
  readonly server: McpServer;
  readonly context: ServerContext;
  readonly own: OwnModel | undefined;
  /** The tool asking, for the usage record. */
  readonly tool: string;
  readonly system: string;
  readonly prompt: string;
  readonly maxTokens: number;
}

/** What the model said, and which one: `model:<id>` (own) or `sampling:<client's model>`. */
export type Answer =
  | { readonly answered: true; readonly text: string; readonly source: string; readonly usageId: string }
  | { readonly answered: false; readonly why: string };

const priceBooks = new WeakMap<OwnModel, Promise<PriceBook>>();

/**
 * The host's overrides over the maintained price registry the host uses too, loaded on the first own-model call
 * (once per own model).
 */
function prices(own: OwnModel): Promise<PriceBook> {
  let book = priceBooks.get(own);
  if (!book) {
    const overrides = own.pricing ? { overrides: own.pricing } : {};
    book = loadPriceRegistry()
      .then((registry) => new PriceBook({ registry, ...overrides }))
      .catch(() => new PriceBook(overrides));
    priceBooks.set(own, book);
  }
  return book;
}

/** USD the server's own model has spent, from the store. */
export async function ownSpentUsd(db: Kysely<DevopsDatabase>): Promise<number> {
  const row = await db
    .selectFrom('devops_model_usage')
    .select((eb) => eb.fn.sum<number>('cost_usd').as('spent'))
    .where('source', '=', 'own')
    .executeTakeFirst();
  return Number(row?.spent ?? 0);
}

/**
 * Asks the own model when there is one and budget is left, else the client through sampling when it declared
 * the capability; resolves with why not otherwise (a provider error, a refused sampling request, no model at all).
 */
export async function ask(options: AskOptions): Promise<Answer> {
  const notes: string[] = [];
  if (options.own) {
    const spent = await ownSpentUsd(options.db);
    if (spent >= options.own.budgetUsd) {
      notes.push(`the server's model budget ($${options.own.budgetUsd.toFixed(2)}, devops.budgetUsd) is spent`);
    } else {
      return askOwn(options, options.own);
    }
  }
  if (options.server.server.getClientCapabilities()?.sampling) return askClient(options);
  notes.push(options.own ? 'and the client does not offer sampling' : 'no devops.model is configured and the client does not offer sampling');
  return { answered: false, why: notes.join(' ') };
}

async function askOwn(options: AskOptions, own: OwnModel): Promise<Answer> {
  const { model } = own;
  let text = '';
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  try {
    for await (const part of model.stream(
      { messages: [{ role: 'system', content: options.system }, { role: 'user', content: options.prompt }], tools: [] },
      { signal: options.context.mcpReq.signal },
    )) {
      if (part.type === 'text-delta') text += part.text;
      else if (part.type === 'finish') usage = part.usage;
    }
  } catch (error) {
    const price = (await prices(own)).price(model);
    await record(options.db, { tool: options.tool, source: 'own', model: model.id, usage, costUsd: costOf(usage, price), error: errorMessage(error) });
    return { answered: false, why: `${model.id} failed: ${errorMessage(error)}` };
  }
  const price = (await prices(own)).price(model);
  const usageId = await record(options.db, { tool: options.tool, source: 'own', model: model.id, usage, costUsd: costOf(usage, price) });
  return { answered: true, text, source: `model:${model.id}`, usageId };
}

async function askClient(options: AskOptions): Promise<Answer> {
  try {
    const result = await options.context.mcpReq.requestSampling({
      systemPrompt: options.system,
      messages: [{ role: 'user', content: { type: 'text', text: options.prompt } }],
      maxTokens: options.maxTokens,
      temperature: 0.2,
    });
    const blocks = Array.isArray(result.content) ? result.content : [result.content];
    const text = blocks.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const usageId = await record(options.db, { tool: options.tool, source: 'sampling', model: result.model, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 });
    return { answered: true, text, source: `sampling:${result.model}`, usageId };
  } catch (error) {
    await record(options.db, { tool: options.tool, source: 'sampling', model: 'client', usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, error: errorMessage(error) });
    return { answered: false, why: `the client's sampling failed: ${errorMessage(error)}` };
  }
}

/** Marks a recorded answer as unusable (it did not fit the schema), so usage figures say how often that happens. */
export async function markInvalid(db: Kysely<DevopsDatabase>, usageId: string, problem: string): Promise<void> {
  await db.updateTable('devops_model_usage').set({ ok: 0, error: problem }).where('id', '=', usageId).execute();
}

async function record(
  db: Kysely<DevopsDatabase>,
  entry: { tool: string; source: 'own' | 'sampling'; model: string; usage: Usage; costUsd: number; error?: string },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('devops_model_usage')
    .values({
      id,
      at: new Date().toISOString(),
      tool: entry.tool,
      source: entry.source,
      model: entry.model,
      input_tokens: entry.usage.inputTokens,
      output_tokens: entry.usage.outputTokens,
      cost_usd: entry.costUsd,
      ok: entry.error ? 0 : 1,
      error: entry.error ?? null,
    })
    .execute();
  return id;
}
