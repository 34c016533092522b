/**
 * @module Shared checks of the offline planner suite: what a run changed (a diff of a store's rows, or of a fixture's
 * state), and that a final answer states no fact (id, address, amount) that neither the task nor a tool result of
 * the run holds.
 */
import { expect } from 'vitest';
import { extractEntities } from '../../src/models/offline/entities.js';
import type { ToolSpec } from '../../src/contracts/index.js';
import type { OfflineRun } from './offline-harness.js';

/** Rows a run added (or changed: the new version) per table; tables it did not touch are left out. */
export type Diff = Record<string, Record<string, unknown>[]>;

/** The rows of each table, to diff before and after a run. */
export type Snapshot = Record<string, readonly Record<string, unknown>[]>;

/** What changed between two snapshots: for each table with a difference, the rows after that were not there before. */
export function diffSnapshots(before: Snapshot, after: Snapshot): Diff {
  const diff: Diff = {};
  for (const [table, rows] of Object.entries(after)) {
    const old = new Set((before[table] ?? []).map((row) => JSON.stringify(row)));
    const now = new Set(rows.map((row) => JSON.stringify(row)));
    const added = rows.filter((row) => !old.has(JSON.stringify(row)));
    const removed = (before[table] ?? []).filter((row) => !now.has(JSON.stringify(row)));
    if (added.length > 0 || removed.length > 0) diff[table] = added;
  }
  return diff;
}

/**
 * Asserts a run changed exactly `effects`: each listed table gained (or had changed) exactly those rows, matched
 * as partial objects, and no other table changed at all, except those in `alsoChanged` (side effects of the same
 * action, such as the stock movements of a cancelled order). With no effects, asserts nothing changed.
 */
export function expectEffects(diff: Diff, effects: Readonly<Record<string, readonly Record<string, unknown>[]>> = {}, alsoChanged: readonly string[] = []): void {
  for (const [table, rows] of Object.entries(effects)) {
    expect(diff[table] ?? [], `rows added to ${table}`).toEqual(rows.map((row) => expect.objectContaining(row)));
  }
  const unexpected = Object.keys(diff).filter((table) => !Object.hasOwn(effects, table) && !alsoChanged.includes(table));
  expect(unexpected, 'tables changed that the task did not ask to change').toEqual([]);
}

/**
 * The planner's promise: every id, email address, phone number and money amount its final answer states appears in
 * the task or in a tool result of the run (including the errors it explains), or, for an example in a question, in
 * the tool catalog.
 */
export function expectNoMadeUpFacts(run: OfflineRun, task: string, catalog: readonly ToolSpec[]): void {
  // The catalog counts as a source: a clarifying question may quote an example a tool's description gives.
  const sources = [task, JSON.stringify(catalog), ...run.executed.map((call) => call.outcome.text), ...run.executed.map((call) => JSON.stringify(call.input))].join('\n');
  const answer = run.end.text;
  const entities = extractEntities(answer);
  const stated = [
    ...entities.orderIds,
    ...entities.customerIds,
    ...entities.emails,
    ...entities.skus,
    ...entities.issueIds.filter((id) => !id.startsWith('#')),
    ...entities.phones,
    ...(answer.match(/\$\d[\d,]*(?:\.\d+)?/g) ?? []),
  ];
  const invented = stated.filter((value) => !sources.toLowerCase().includes(value.toLowerCase()));
  expect(invented, `facts in the answer that no tool result or the task holds:\n${answer}`).toEqual([]);
}

/** Tool names a run called, as people read them (`crm.search_customers`). */
export function calledTools(run: OfflineRun): string[] {
  return run.executed.map((call) => call.name.replace('__', '.'));
}

/** Side-effect calls a run made, which must each have gone through the approval gate. */
export function expectApprovedThroughGate(run: OfflineRun, readOnly: (name: string) => boolean): void {
  const actions = run.events.filter((event) => event.type === 'tool-call').map((event) => event as { toolCallId: string; server: string; tool: string });
  const approvals = run.events.filter((event) => event.type === 'approval-response').map((event) => (event as { toolCallId: string }).toolCallId);
  for (const action of actions) {
    if (readOnly(`${action.server}__${action.tool}`)) continue;
    expect(approvals, `${action.server}.${action.tool} went through the approval gate`).toContain(action.toolCallId);
  }
}
