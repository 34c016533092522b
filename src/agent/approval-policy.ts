import type { ArgumentCondition, PolicyRule } from '../config/schema.js';
import type { Risk, ToolHints } from '../contracts/index.js';

export type { ArgumentCondition, PolicyRule };

/** What happens to a tool call before it runs. */
export type PolicyDecision = 'allow' | 'ask' | 'deny';
export type { Risk };

export interface PolicyInput {
  readonly server: string;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly hints: ToolHints | undefined;
  /** Built-in servers and those marked `"trusted": true`; only their hints are believed. */
  readonly trusted: boolean;
}

export interface PolicyVerdict {
  readonly decision: PolicyDecision;
  readonly risk: Risk;
  /** Why, in a few words, for people (`read-only tool`, `rule email.*`). */
  readonly because: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

function conditionHolds(condition: ArgumentCondition, value: unknown): boolean {
  if (typeof condition !== 'object') return value === condition || (typeof value === 'string' && String(condition).toLowerCase() === value.toLowerCase());
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (condition.eq !== undefined && value !== condition.eq) return false;
  if (condition.in !== undefined && !condition.in.includes(value as string | number)) return false;
  if (condition.gt !== undefined && !(number > condition.gt)) return false;
  if (condition.gte !== undefined && !(number >= condition.gte)) return false;
  if (condition.lt !== undefined && !(number < condition.lt)) return false;
  if (condition.lte !== undefined && !(number <= condition.lte)) return false;
  if (condition.matches !== undefined && !(typeof value === 'string' && new RegExp(condition.matches, 'i').test(value))) return false;
  return true;
}

function ruleMatches(rule: PolicyRule, input: PolicyInput): boolean {
  if (!globToRegExp(rule.tool).test(`${input.server}.${input.tool}`)) return false;
  for (const [name, condition] of Object.entries(rule.args ?? {})) {
    if (!Object.hasOwn(input.args, name) || !conditionHolds(condition, input.args[name])) return false;
  }
  return true;
}

function riskOf(input: PolicyInput): Risk {
  if (!input.trusted) return 'high';
  if (input.hints?.readOnlyHint === true) return 'low';
  if (input.hints?.destructiveHint === true || input.hints?.openWorldHint === true) return 'high';
  return 'medium';
}

/**
 * Classifies one tool call. A matching `deny` rule always wins; otherwise the first matching rule decides;
 * otherwise the tool's MCP annotations do, but only for trusted servers: read-only → allow, anything else →
 * ask. An untrusted server's hints are ignored (it could call a write tool read-only), so its tools ask.
 */
export function classifyToolCall(input: PolicyInput, rules: readonly PolicyRule[]): PolicyVerdict {
  const risk = riskOf(input);
  const matching = rules.filter((rule) => ruleMatches(rule, input));
  const deny = matching.find((rule) => rule.decision === 'deny');
  if (deny) return { decision: 'deny', risk, because: deny.reason ?? `rule ${deny.tool}` };
  const first = matching[0];
  if (first) return { decision: first.decision, risk, because: first.reason ?? `rule ${first.tool}` };
  if (!input.trusted) return { decision: 'ask', risk, because: 'server is not trusted' };
  if (input.hints?.readOnlyHint === true) return { decision: 'allow', risk, because: 'read-only tool' };
  if (input.hints === undefined) return { decision: 'ask', risk, because: 'tool has no annotations' };
  return { decision: 'ask', risk, because: input.hints.destructiveHint ? 'destructive tool' : input.hints.openWorldHint ? 'reaches outside systems' : 'changes data' };
}
