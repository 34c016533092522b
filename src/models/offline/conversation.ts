/**
 * @module Reads the conversation the agent loop sends each step: which task is being worked on and what the
 * planner already did for it. The planner keeps no state between calls; this is where it recovers it.
 */
import type { ModelMessage, ToolCall, ToolResultPart } from '../types.js';
import { isQuestion, requestedActions } from './intent.js';

/** One tool call made for the current task, with its result once the loop fed it back. */
export interface CallRecord {
  readonly call: ToolCall;
  readonly result: ToolResultPart | undefined;
}

/** What the planner needs to know about the conversation so far. */
export interface Conversation {
  /** The request being worked on; a short answer to a clarifying question is folded into the question's task. */
  readonly task: string;
  /** This model call's number in the whole conversation (1-based); keeps tool call ids unique across turns. */
  readonly step: number;
  /** Tool calls made for this task, oldest first. */
  readonly calls: readonly CallRecord[];
  /** The calls of the most recent assistant turn (empty when the task is new). */
  readonly lastTurn: readonly CallRecord[];
  /** Tool calls made for earlier tasks of the same conversation, oldest first: what a chat already found out. */
  readonly history: readonly CallRecord[];
}

const MAX_ANSWER_WORDS = 12;

function lastIndexOf(messages: readonly ModelMessage[], role: ModelMessage['role'], before: number): number {
  for (let index = before - 1; index >= 0; index--) if (messages[index]?.role === role) return index;
  return -1;
}

/**
 * Whether the user's latest message answers the planner's clarifying question ("XYZ-789") rather than making
 * a new request: the message before it is an assistant question without tool calls, and it is a short
 * statement that asks for no action itself.
 */
function answersClarifyingQuestion(messages: readonly ModelMessage[], userIndex: number, text: string): boolean {
  const previous = messages[userIndex - 1];
  if (previous?.role !== 'assistant' || previous.toolCalls.length > 0 || !previous.text.includes('?')) return false;
  const words = text.trim().split(/\s+/).length;
  return words <= MAX_ANSWER_WORDS && requestedActions(text).size === 0 && !isQuestion(text);
}

/** Recovers the task, the step number and the calls made so far from the messages of one model request. */
export function readConversation(messages: readonly ModelMessage[]): Conversation {
  // Context compaction sends fewer assistant turns than the conversation had, so counting them alone could repeat a
  // call id still in view (one of this run's, which approvals are keyed by); numbering past the highest one cannot.
  let highest = 0;
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.toolCalls) highest = Math.max(highest, Number(/^offline_(\d+)_/.exec(call.id)?.[1] ?? 0));
  }
  const step = Math.max(messages.filter((message) => message.role === 'assistant').length, highest) + 1;
  let start = lastIndexOf(messages, 'user', messages.length);
  let task = '';
  const latest = messages[start];
  if (latest?.role === 'user') {
    task = latest.content;
    const earlier = lastIndexOf(messages, 'user', start);
    const original = messages[earlier];
    if (original?.role === 'user' && answersClarifyingQuestion(messages, start, latest.content)) {
      task = `${original.content}\n${latest.content}`;
      start = earlier;
    }
  }
  const results = new Map<string, ToolResultPart>();
  for (const message of messages) {
    if (message.role === 'tool') for (const result of message.results) results.set(result.toolCallId, result);
  }
  const history: CallRecord[] = [];
  const calls: CallRecord[] = [];
  let lastTurn: CallRecord[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'assistant') continue;
    // A call a person edited ran with other arguments: that call is what was done.
    const turn = message.toolCalls.map((call) => {
      const result = results.get(call.id);
      return { call: result?.ranWith ? { ...call, input: result.ranWith } : call, result };
    });
    if (index < start) {
      history.push(...turn);
    } else {
      lastTurn = turn;
      calls.push(...turn);
    }
  }
  return { task, step, calls, lastTurn, history };
}
