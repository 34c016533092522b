import { type Expression, type SqlBool, sql } from 'kysely';

/** `%term%` with LIKE's wildcards escaped, so user text never acts as a pattern. */
export function containsPattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Case-insensitive substring match that behaves the same on SQLite and PostgreSQL (`lower()` on both sides,
 * explicit escape character). The term is bound as a parameter, never spliced into SQL.
 */
export function containsInsensitive(column: Expression<unknown>, term: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${column}) like ${containsPattern(term)} escape '\\'`;
}

/** Levenshtein distance, for "did you mean" hints over small candidate lists. */
export function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= right.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (left[i - 1] === right[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[right.length]!;
}

/** Up to `count` candidates closest to `input`, nearest first. */
export function closest(input: string, candidates: readonly string[], count = 3): string[] {
  const target = input.toUpperCase();
  return [...candidates]
    .map((candidate) => ({ candidate, distance: editDistance(target, candidate.toUpperCase()) }))
    .sort((left, right) => left.distance - right.distance || left.candidate.localeCompare(right.candidate))
    .slice(0, count)
    .map((entry) => entry.candidate);
}
