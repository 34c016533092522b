/** Turns a session's events into what the chat shows: messages, streamed answers, tool cards, approval cards. */
import type { Approval, ChatEvent, RunTotals } from './types.js';

export type ApprovalRequest = Extract<ChatEvent, { type: 'approval-request' }>;

export type TimelineItem =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'assistant'; key: string; text: string; streaming: boolean }
  | {
      kind: 'tool';
      key: string;
      server: string;
      tool: string;
      args: Record<string, unknown>;
      /** The arguments the model proposed, when a person edited them before approving (`args` is what ran). */
      proposedArgs?: Record<string, unknown>;
      status: 'running' | 'ok' | 'error' | 'waiting' | 'denied';
      summary?: string;
      output?: string;
      error?: string;
      durationMs?: number;
      /** The server's latest `notifications/progress` while the call runs. */
      progress?: { value: number; total?: number; message?: string };
    }
  | {
      kind: 'approval';
      key: string;
      request: ApprovalRequest;
      status: Approval['status'];
      resolvedBy?: string | null;
      note?: string | null;
      /** The arguments a person edited the call to when approving it (the call ran with these). */
      editedArgs?: Record<string, unknown>;
    }
  | { kind: 'status'; key: string; outcome: string; text: string };

const DECISION_STATUS: Record<string, Approval['status']> = { approved: 'approved', denied: 'denied', expired: 'expired', answered: 'answered' };

/** The chat's items, the runs still executing, and the session's totals (the latest totals of each run, summed). */
export function buildTimeline(events: readonly ChatEvent[], approvals: ReadonlyMap<string, Approval>) {
  const items: TimelineItem[] = [];
  const tools = new Map<string, Extract<TimelineItem, { kind: 'tool' }>>();
  const approvalItems = new Map<string, Extract<TimelineItem, { kind: 'approval' }>>();
  const assistant = new Map<string, Extract<TimelineItem, { kind: 'assistant' }>>();
  const running = new Set<string>();
  const totals = new Map<string, RunTotals>();
  for (const event of events) {
    switch (event.type) {
      case 'run-start':
        running.add(event.runId);
        if (!event.resumed) items.push({ kind: 'user', key: `u${event.id}`, text: event.task });
        break;
      case 'text-delta': {
        const key = `${event.runId}:${event.step}`;
        let item = assistant.get(key);
        if (!item) {
          item = { kind: 'assistant', key: `a${event.id}`, text: '', streaming: true };
          assistant.set(key, item);
          items.push(item);
        }
        item.text += event.text;
        break;
      }
      case 'step-end':
        for (const [key, item] of assistant) if (key.startsWith(`${event.runId}:`)) item.streaming = false;
        break;
      case 'tool-call': {
        if (tools.has(event.toolCallId)) break; // a resumed step announces its calls again
        const item: Extract<TimelineItem, { kind: 'tool' }> = { kind: 'tool', key: `t${event.toolCallId}`, server: event.server, tool: event.tool, args: event.args, status: 'running' };
        tools.set(event.toolCallId, item);
        items.push(item);
        break;
      }
      case 'tool-start': {
        // What actually runs: a person may have edited the model's arguments when approving.
        const item = tools.get(event.toolCallId);
        if (item && event.edited) Object.assign(item, { proposedArgs: item.proposedArgs ?? item.args, args: event.args });
        break;
      }
      case 'tool-progress': {
        const item = tools.get(event.toolCallId);
        if (item) item.progress = { value: event.progress, ...(event.total !== undefined ? { total: event.total } : {}), ...(event.message ? { message: event.message } : {}) };
        break;
      }
      case 'tool-result': {
        const item = tools.get(event.toolCallId);
        if (item) Object.assign(item, { status: 'ok', summary: event.summary, output: event.output, durationMs: event.durationMs });
        break;
      }
      case 'tool-error': {
        const item = tools.get(event.toolCallId);
        if (item) Object.assign(item, { status: item.status === 'denied' ? 'denied' : 'error', error: event.error, durationMs: event.durationMs });
        break;
      }
      case 'approval-request': {
        if (approvalItems.has(event.approvalId)) break;
        const tool = tools.get(event.toolCallId);
        if (tool) tool.status = 'waiting';
        const item: Extract<TimelineItem, { kind: 'approval' }> = { kind: 'approval', key: `p${event.approvalId}`, request: event, status: 'pending' };
        approvalItems.set(event.approvalId, item);
        items.push(item);
        break;
      }
      case 'approval-response': {
        const tool = tools.get(event.toolCallId);
        if (tool && event.decision === 'denied') tool.status = 'denied';
        else if (tool && tool.status === 'waiting') tool.status = 'running';
        const item = event.approvalId ? approvalItems.get(event.approvalId) : undefined;
        if (item) Object.assign(item, { status: DECISION_STATUS[event.decision] ?? item.status, resolvedBy: event.by, note: event.note ?? null });
        // An elicitation's answer also travels as `args`; only an approval's args are an edit of the call.
        if (item && event.args && item.request.kind === 'approval') item.editedArgs = event.args;
        break;
      }
      case 'usage':
        totals.set(event.runId, event.totals);
        break;
      case 'run-end':
        running.delete(event.runId);
        totals.set(event.runId, event.totals);
        for (const item of assistant.values()) item.streaming = false;
        if (event.outcome !== 'finished') items.push({ kind: 'status', key: `e${event.id}`, outcome: event.outcome, text: event.outcome === 'paused' ? 'Waiting for a decision.' : event.text });
        break;
      default:
        break;
    }
  }
  // What the store says wins over what the events say so far (a decision made elsewhere, before the resume).
  for (const [id, item] of approvalItems) {
    const stored = approvals.get(id);
    if (stored && stored.status !== 'pending') Object.assign(item, { status: stored.status, resolvedBy: stored.resolvedBy, note: stored.note });
  }
  const sum = { inputTokens: 0, outputTokens: 0, costUsd: 0, toolCalls: 0 };
  for (const value of totals.values()) {
    sum.inputTokens += value.inputTokens;
    sum.outputTokens += value.outputTokens;
    sum.costUsd += value.costUsd;
    sum.toolCalls += value.toolCalls;
  }
  return { items, running: [...running], totals: sum };
}
