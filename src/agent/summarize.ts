const MAX_SUMMARY_LENGTH = 120;

/** One line for people: the first non-empty line of a tool's output, cut to fit. */
export function summarizeOutput(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '')?.trim() ?? '';
  return line.length > MAX_SUMMARY_LENGTH ? `${line.slice(0, MAX_SUMMARY_LENGTH - 1)}…` : line;
}
