// Plain decimal: no exponent, at most two fractional digits. `String(n)` of a JS number prints the shortest
// text that round-trips, so 25.5 → "25.5", 0.1 + 0.2 → "0.30000000000000004" (rejected), 1e-7 → "1e-7" (rejected).
const TWO_DECIMALS = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Converts decimal dollars to integer cents exactly, without float multiplication (`19.99 * 100` is
 * 1998.9999999999998). Returns undefined for negative, non-finite or sub-cent amounts.
 */
export function dollarsToCents(dollars: number): number | undefined {
  if (!Number.isFinite(dollars)) return undefined;
  const match = TWO_DECIMALS.exec(String(dollars));
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** `74550` → `"745.50"`: dollars as a decimal string, the unit `refund_order` takes. */
export function centsToDollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(cents);
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}
