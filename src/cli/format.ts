import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Styles text for a terminal; plain when the stream is not a TTY or NO_COLOR is set. */
export function createPainter(stream: NodeJS.WriteStream): (style: Style, text: string) => string {
  const enabled = stream.isTTY === true && !process.env.NO_COLOR;
  return (style, text) => (enabled ? styleText(style, text) : text);
}

/** `1234` → `1,234`. */
export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** Milliseconds for people: `840 ms`, `1.2 s`. */
export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** US dollars with enough digits to show small per-run costs. */
export function formatUsd(value: number): string {
  return value === 0 ? '$0.00' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** Compact JSON of tool arguments, cut to `max` characters. */
export function formatArgs(args: Record<string, unknown>, max = 160): string {
  const text = JSON.stringify(args);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
