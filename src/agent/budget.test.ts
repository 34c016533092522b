import { describe, expect, it } from 'vitest';
import { Budget, NO_SPEND, resumeHint } from './budget.js';

const price = { inputPerMTok: 10, outputPerMTok: 10 };
const spent = (usd: number, extra: Partial<typeof NO_SPEND> = {}) => ({ ...NO_SPEND, usd, ...extra });

describe('Budget.checkModelCall', () => {
  it('refuses a call whose prompt alone could cross the limit, before anything is sent', () => {
    const budget = new Budget({ limits: { run: { usd: 0.000001 } } });
    const decision = budget.checkModelCall(NO_SPEND, { promptTokens: 1_000, exact: true, price });
    expect(decision).toMatchObject({ ok: false, breach: { scope: 'run', dimension: 'usd', limit: 0.000001 } });
    expect(!decision.ok && decision.reason).toMatch(/^budget exhausted: run usd 0\.00 of 0\.000001 \(the next model call could add up to 0\.01\)$/);
  });

  it('caps the output tokens to what the budget leaves', () => {
    const budget = new Budget({ limits: { run: { usd: 1 } } });
    // $0.10 of prompt leaves $0.40 of a $1 budget with $0.50 spent: 40,000 tokens at $10/M, capped to 4096.
    expect(budget.checkModelCall(spent(0.5), { promptTokens: 10_000, exact: true, price })).toEqual({ ok: true, maxOutputTokens: 4_096 });
    expect(budget.checkModelCall(spent(0.89), { promptTokens: 10_000, exact: true, price })).toEqual({ ok: true, maxOutputTokens: 999 }); // floored, never rounded up
    expect(budget.checkModelCall(spent(0.5), { promptTokens: 0, exact: true, price })).toMatchObject({ ok: true });
  });

  it('calibrates its estimate from what the provider reported', () => {
    const budget = new Budget({ limits: { run: { usd: 3 } } });
    expect(budget.checkModelCall(NO_SPEND, { promptTokens: 1_500, exact: false, price })).toMatchObject({ ok: true });
    budget.observe(1_500, 200_000);
    const decision = budget.checkModelCall(spent(2), { promptTokens: 1_600, exact: false, price });
    expect(decision).toMatchObject({ ok: false, breach: { dimension: 'usd', spent: 2, limit: 3 } });
  });

  it('checks token, step and wall-time limits, and session and day limits on top of what they spent before', () => {
    const tokens = new Budget({ limits: { run: { tokens: 1_000 } } });
    expect(tokens.checkModelCall(spent(0, { tokens: 500 }), { promptTokens: 400, exact: true, price })).toEqual({ ok: true, maxOutputTokens: 100 });
    expect(tokens.checkModelCall(spent(0, { tokens: 500 }), { promptTokens: 490, exact: true, price })).toMatchObject({ ok: false });
    const steps = new Budget({ limits: { session: { steps: 5 } }, baseline: { session: { ...NO_SPEND, steps: 4 }, day: NO_SPEND } });
    expect(steps.checkModelCall(spent(0, { steps: 1 }), { promptTokens: 1, exact: true, price })).toMatchObject({
      ok: false,
      reason: 'budget exhausted: session steps 5 of 5',
    });
    const day = new Budget({ limits: { day: { usd: 10 } }, baseline: { session: NO_SPEND, day: { ...NO_SPEND, usd: 10 } } });
    expect(day.checkModelCall(NO_SPEND, { promptTokens: 1, exact: true, price })).toMatchObject({ ok: false, reason: 'budget exhausted: day usd 10.00 of 10.00' });
    const wall = new Budget({ limits: { run: { wallSeconds: 60 } } });
    expect(wall.checkModelCall(spent(0, { wallSeconds: 61 }), { promptTokens: 1, exact: true, price })).toMatchObject({ ok: false });
  });
});

describe('Budget.checkToolCalls', () => {
  it('refuses a step whose calls would pass the tool-call limit', () => {
    const budget = new Budget({ limits: { run: { toolCalls: 3 } } });
    expect(budget.checkToolCalls(spent(0, { toolCalls: 1 }), 2)).toEqual({ ok: true });
    expect(budget.checkToolCalls(spent(0, { toolCalls: 2 }), 2)).toMatchObject({ ok: false, reason: 'budget exhausted: run toolCalls 2 of 3 (the next tool calls would add 2)' });
  });
});

describe('resumeHint', () => {
  it('names the flag and a limit that fits the refused call', () => {
    expect(resumeHint('R-1', { scope: 'run', dimension: 'usd', spent: 0.5, limit: 0.5 })).toBe('deckhand resume R-1 --budget-usd 1');
    expect(resumeHint('R-1', { scope: 'run', dimension: 'usd', spent: 2, limit: 3, wouldAdd: 2.2 })).toBe('deckhand resume R-1 --budget-usd 10');
    expect(resumeHint('R-1', { scope: 'run', dimension: 'tokens', spent: 900, limit: 1_000, wouldAdd: 500 })).toBe('deckhand resume R-1 --budget-tokens 5000');
    expect(resumeHint('R-1', { scope: 'day', dimension: 'usd', spent: 10, limit: 10 })).toBe('raise budget.day.usd in deckhand.json, then: deckhand resume R-1');
  });
});

describe('Budget over a tiered price', () => {
  it('estimates a long prompt at the tier rates, for input and for the output it allows', () => {
    const price = { inputPerMTok: 3, outputPerMTok: 15, tiers: [{ aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 }] };
    const budget = new Budget({ limits: { run: { usd: 1.3 } } });
    // 210,000 prompt tokens at $6/M is $1.26: $0.04 left buys 1,777 output tokens at $22.5/M (2,666 at the base $15/M).
    const decision = budget.checkModelCall(NO_SPEND, { promptTokens: 210_000, exact: true, price });
    expect(decision).toEqual({ ok: true, maxOutputTokens: 1_777 });
    // At the base rates the same prompt would have cost $0.63 and left room for 4,096.
    expect(budget.checkModelCall(NO_SPEND, { promptTokens: 190_000, exact: true, price })).toEqual({ ok: true, maxOutputTokens: 4_096 });
  });
});
