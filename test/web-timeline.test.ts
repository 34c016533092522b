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
  });
});
