import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../config/schema.js';
import { classifyToolCall, type PolicyInput } from './approval-policy.js';

const call = (overrides: Partial<PolicyInput> = {}): PolicyInput => ({
  server: 'orders',
  tool: 'refund_order',
  args: { order_id: 'XYZ-789', amount: 25 },
  hints: { readOnlyHint: false, destructiveHint: true },
  trusted: true,
  ...overrides,
});

describe('classifyToolCall', () => {
  it('follows a trusted server’s annotations: read-only runs, anything else asks', () => {
    expect(classifyToolCall(call({ hints: { readOnlyHint: true } }), [])).toMatchObject({ decision: 'allow', risk: 'low' });
    expect(classifyToolCall(call(), [])).toMatchObject({ decision: 'ask', risk: 'high', because: 'destructive tool' });
    expect(classifyToolCall(call({ hints: { readOnlyHint: false, openWorldHint: true } }), [])).toMatchObject({ decision: 'ask', because: 'reaches outside systems' });
    expect(classifyToolCall(call({ hints: { readOnlyHint: false, destructiveHint: false } }), [])).toMatchObject({ decision: 'ask', risk: 'medium' });
    expect(classifyToolCall(call({ hints: undefined }), [])).toMatchObject({ decision: 'ask', because: 'tool has no annotations' });
  });

  // Invariant: a third-party server cannot talk its way past the question by calling a write tool read-only.
  it('ignores an untrusted server’s read-only claim', () => {
    expect(classifyToolCall(call({ trusted: false, hints: { readOnlyHint: true } }), [])).toMatchObject({ decision: 'ask', risk: 'high', because: 'server is not trusted' });
  });

  it('applies rules by server.tool glob and argument values; a deny rule always wins', () => {
    const rules: PolicyRule[] = [
      { tool: 'orders.*', decision: 'allow' },
      { tool: 'orders.refund_order', args: { amount: { gt: 500 } }, decision: 'deny', reason: 'over $500' },
      { tool: 'devops.deploy_with_review', args: { environment: 'production' }, decision: 'ask' },
    ];
    expect(classifyToolCall(call(), rules)).toMatchObject({ decision: 'allow', because: 'rule orders.*' });
    expect(classifyToolCall(call({ args: { amount: 900 } }), rules)).toMatchObject({ decision: 'deny', because: 'over $500' });
    expect(classifyToolCall(call({ args: { amount: '900' } }), rules)).toMatchObject({ decision: 'deny' });
    const deploy = (environment: string) => call({ server: 'devops', tool: 'deploy_with_review', args: { environment }, hints: { readOnlyHint: true } });
    expect(classifyToolCall(deploy('Production'), rules)).toMatchObject({ decision: 'ask' });
    expect(classifyToolCall(deploy('staging'), rules)).toMatchObject({ decision: 'allow' });
  });

  it('matches rule globs whole, not as substrings', () => {
    const rules: PolicyRule[] = [{ tool: 'email.*', decision: 'deny' }];
    expect(classifyToolCall(call({ server: 'email', tool: 'send_email' }), rules).decision).toBe('deny');
    expect(classifyToolCall(call({ server: 'myemail', tool: 'send_email' }), rules).decision).toBe('ask');
  });
});
