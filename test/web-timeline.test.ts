import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../web/src/timeline.js';
import type { ChatEvent } from '../web/src/types.js';

describe('buildTimeline: edited approvals', () => {
  // Invariant: the tool card shows what ran (a person's edited arguments), and what the model had proposed.
  it('a call approved with edited arguments shows them as what ran, the proposal beside them', () => {
    const base = { runId: 'R', sessionId: 'S', at: 1 };
    const proposed = { to: 'lisa@example.com' };
    const edited = { to: 'lisa.park@example.com' };
    const events: ChatEvent[] = [
      { ...base, id: 1, type: 'run-start', task: 'email Lisa', model: 'offline', budgetUsd: null },
      { ...base, id: 2, type: 'tool-call', step: 1, toolCallId: 'c1', server: 'email', tool: 'send_email', args: proposed },
      { ...base, id: 3, type: 'approval-response', step: 1, toolCallId: 'c1', approvalId: 'AP-1', decision: 'approved', by: 'alice', args: edited },
      { ...base, id: 4, type: 'tool-start', step: 1, toolCallId: 'c1', server: 'email', tool: 'send_email', args: edited, edited: true },
      { ...base, id: 5, type: 'tool-result', step: 1, toolCallId: 'c1', server: 'email', tool: 'send_email', summary: 'sent', output: 'sent', durationMs: 3 },
    ];
    const tool = buildTimeline(events, new Map()).items.find((item) => item.kind === 'tool');
    expect(tool).toMatchObject({ status: 'ok', args: edited, proposedArgs: proposed });
    // The approval card says it was approved with an edit, and shows what ran.
    const request: ChatEvent = {
      ...base, id: 3, type: 'approval-request', step: 1, toolCallId: 'c1', approvalId: 'AP-1', expiresAt: '2026-12-02T00:00:00Z',
      kind: 'approval', server: 'email', tool: 'send_email', args: proposed, reason: 'tell Lisa', risk: 'medium', because: 'sends an email',
    };
    const withCard = buildTimeline([events[0]!, events[1]!, request, { ...events[2]!, id: 4 }], new Map()).items.find((item) => item.kind === 'approval');
    expect(withCard).toMatchObject({ status: 'approved', resolvedBy: 'alice', editedArgs: edited });
  });
});

describe('buildTimeline: progress of a running call', () => {
  const base = { runId: 'R', sessionId: 'S', at: 1 };
  const call: ChatEvent = { ...base, id: 2, type: 'tool-call', step: 1, toolCallId: 'c1', server: 'devops', tool: 'run_tests', args: {} };
  const progress = (id: number, value: number, message?: string, toolCallId = 'c1'): ChatEvent => ({
    ...base, id, type: 'tool-progress', step: 1, toolCallId, server: 'devops', tool: 'run_tests', progress: value, total: 4, ...(message ? { message } : {}),
  });

  it('keeps the latest notification on the tool card while it runs', () => {
    const items = buildTimeline([call, progress(3, 1, 'lint'), progress(4, 3, 'unit tests')], new Map()).items;
    expect(items.find((item) => item.kind === 'tool')).toMatchObject({ status: 'running', progress: { value: 3, total: 4, message: 'unit tests' } });
  });

  it('ignores progress of a call it never saw', () => {
    const items = buildTimeline([progress(3, 1, undefined, 'other')], new Map()).items;
    expect(items).toEqual([]);
  });
});
