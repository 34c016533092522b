/**
 * @module Values a task states for parameters that are neither ids nor free text: a quantity ("5 units", signed for
 * a stock change), a carrier (one the parameter's own description names, or "via DHL"), a tracking number, a file
 * name ("look at app.log").
 */
import type { ParameterInfo } from './parameters.js';

const UNITS = /\b(\d{1,7})\s*(?:x\s+|×\s*)?(?:units?|pcs|pieces?|items?|more|of)\b/i;
const QUANTITY_LABEL = /\b(?:qty|quantity|units?)\s*(?:of|:|=)?\s*(\d{1,7})\b/i;
const TIMES = /\b(?:x|×)\s?(\d{1,7})\b/i;
const SIGNED = /(?<![\w-])([+-]\d{1,7})\b/;
const REMOVAL = /\b(?:remove[ds]?|removing|subtract|minus|take|took|damaged|broken|broke|lost|stolen|missing|short|decrease|reduce|write off|written off)\b/i;
const TRACKING = /\btracking(?:\s*(?:number|no\.?|#|id|code))?\s*(?:is|:|=|of)?\s*#?\s*([A-Z0-9][A-Z0-9-]{5,})\b/i;
const FILE = /(?<![\w/.-])((?:[\w-]+\/)*[\w-]+\.(?:log|txt|json|ya?ml|conf|cfg|csv|out|err|ini|toml))(?![\w-])/i;
const VIA = /\b(?:via|with|by|using)\s+([A-Z][A-Za-z]{1,15}|[A-Z]{2,6})\b/;

/** Whether a parameter holds a change rather than an amount: `delta`, `change`, `adjustment`. */
function isSigned(parameter: ParameterInfo): boolean {
  return /delta|change|adjust|diff/i.test(parameter.name) || /negative|remove/i.test(parameter.description);
}

/** The whole number of units the text states, signed for a change when the text removes stock. */
export function quantityIn(text: string, parameter: ParameterInfo): number | undefined {
  const signed = SIGNED.exec(text);
  const match = UNITS.exec(text) ?? QUANTITY_LABEL.exec(text) ?? TIMES.exec(text);
  const value = signed && isSigned(parameter) ? Number(signed[1]) : match ? Number(match[1]) : undefined;
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return isSigned(parameter) && value > 0 && REMOVAL.test(text) ? -value : value;
}

/** Example values a parameter's description offers: "e.g. UPS, USPS, FedEx" → UPS, USPS, FedEx. */
function describedExamples(description: string): string[] {
  const listed = /(?:e\.g\.,?|such as|like|one of)\s*([^.;)]+)/i.exec(description)?.[1] ?? '';
  return listed
    .split(/,|\bor\b|\//)
    .map((value) => value.trim().replace(/^["'`]|["'`]$/g, ''))
    .filter((value) => /^[\w-]{2,20}$/.test(value));
}

/** The carrier a text names: one the parameter's description lists (whole word, any case), else "via X". */
export function carrierIn(text: string, parameter: ParameterInfo): string | undefined {
  const enumValues = Array.isArray(parameter.schema.enum) ? parameter.schema.enum.map(String) : [];
  for (const example of [...enumValues, ...describedExamples(parameter.description)]) {
    if (new RegExp(`(?<![\\w-])${example.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'i').test(text)) return example;
  }
  const via = VIA.exec(text)?.[1];
  return via && !/^(?:tracking|the|a|an)$/i.test(via) ? via : undefined;
}

/** The tracking number a text gives ("tracking 1Z999AA1…", "tracking number: 9400…"). */
export function trackingIn(text: string): string | undefined {
  return TRACKING.exec(text)?.[1];
}

/** The file a text names (`app.log`, `logs/api.err`). */
export function fileIn(text: string): string | undefined {
  return FILE.exec(text)?.[1];
}
