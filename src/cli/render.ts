import type { RunEvent } from '../contracts/index.js';
import { createPainter, formatArgs, formatCount, formatDuration, formatUsd } from './format.js';

export interface RendererOptions {
  readonly json: boolean;
  readonly out: NodeJS.WriteStream;
  /** Where a failed run's reason goes, so scripts can tell it from the answer. */
  readonly err: NodeJS.WriteStream;
  /** False when the model's price is unknown, so the cost is not shown as a real $0. */
  readonly priced: boolean;
  /** Shown after the usage line (e.g. the offline planner note). */
  readonly offline?: boolean;
  /** Text mode for scripts: only the final answer on stdout (what `claude -p` prints); a failure on stderr. */
  readonly quiet?: boolean;
}

/**
 * Turns run events into CLI output. With `json`, one JSON object per event per line and nothing else;
 * otherwise every tool call with its arguments, a one-line result and its duration, the streamed answer,
 * and the usage line.
 */
export function createRenderer(options: RendererOptions): (event: RunEvent) => void {
  const { out } = options;
  if (options.json) return (event) => void out.write(`${JSON.stringify(event)}\n`);
  if (options.quiet) return quietRenderer(options);
  const paint = createPainter(out);
  let midText = false;
  const endText = () => {
    if (midText) out.write('\n');
    midText = false;
  };
  // A long call's progress is one line on stderr, rewritten in place and erased before anything else is printed;
  // only at a terminal, so a log file or a pipe never collects the intermediate states.
  const { err } = options;
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) err.write('\r\x1b[2K');
    progressShown = false;
  };
  return (event) => {
    if (event.type === 'tool-progress') {
      if (!err.isTTY) return;
      const fraction = event.total ? ` ${formatCount(event.progress)}/${formatCount(event.total)}` : '';
      const line = `  … ${event.server}.${event.tool}${fraction}${event.message ? `: ${event.message}` : ''}`;
      err.write(`\r\x1b[2K${line.slice(0, Math.max(20, (err.columns ?? 100) - 1))}`);
      progressShown = true;
      return;
    }
    clearProgress();
    switch (event.type) {
      case 'text-delta':
        if (!midText) out.write('\n');
        midText = true;
        out.write(event.text);
        return;
      case 'tool-call':
        endText();
        out.write(`${paint('cyan', '→')} ${paint('bold', `${event.server}.${event.tool}`)} ${paint('gray', formatArgs(event.args))}\n`);
        return;
      case 'tool-result':
        out.write(`  ${paint('green', '✓')} ${event.server}.${event.tool}: ${event.summary} ${paint('gray', `(${formatDuration(event.durationMs)})`)}\n`);
        return;
      case 'tool-error':
        out.write(`  ${paint('red', '✗')} ${event.server}.${event.tool}: ${event.error} ${paint('gray', `(${formatDuration(event.durationMs)})`)}\n`);
        return;
      case 'approval-request':
        endText();
        if (event.kind === 'elicitation') {
          out.write(`  ${paint('yellow', '⏸')} ${event.server} asks: ${String(event.args.message ?? '')} (${event.approvalId})\n`);
          return;
        }
        out.write(
          `  ${paint('yellow', '⏸')} ${event.kind === 'question' ? `question for you (${event.approvalId})` : `${event.server}.${event.tool} needs approval (${event.because}, ${event.risk} risk): ${event.approvalId}`}\n`,
        );
        return;
      case 'approval-response':
        out.write(
          `  ${event.decision === 'approved' || event.decision === 'answered' ? paint('green', '✓') : paint('red', '✗')} ${event.decision} by ${event.by}${event.note ? `: ${event.note}` : ''}` +
            `${event.args ? ` with edited arguments ${paint('gray', formatArgs(event.args))}` : ''}\n`,
        );
        return;
      case 'tool-start':
        // The call line shows what the model proposed; say when what runs is different.
        if (event.edited) out.write(`${paint('cyan', '→')} ${paint('bold', `${event.server}.${event.tool}`)} ${paint('gray', formatArgs(event.args))} (as edited)\n`);
        return;
      case 'model-retry':
        endText();
        out.write(`  ${paint('yellow', '↻')} ${event.model} failed (${event.error}); retry ${event.attempt} in ${formatDuration(event.delayMs)}\n`);
        return;
      case 'model-fallback':
        endText();
        out.write(`  ${paint('yellow', '⇢')} switching from ${event.from} to ${event.to}: ${event.error}\n`);
        return;
      case 'warning':
        endText();
        out.write(`  ${paint('yellow', '!')} ${event.message}\n`);
        return;
      case 'run-start':
        if (event.resumed) out.write(`${paint('gray', `(resumed run ${event.runId})`)}\n`);
        return;
      case 'run-end': {
        endText();
        const { totals } = event;
        if (event.outcome === 'failed') options.err.write(`\n${createPainter(options.err)('red', 'Run failed:')} ${event.error ?? event.text}\n`);
        else if (event.outcome === 'cancelled') out.write(`\n${paint('yellow', 'Run cancelled.')}\n`);
        else if (event.outcome === 'budget-exhausted' || event.outcome === 'paused') out.write(`\n${paint('yellow', event.text)}\n`);
        const cost = options.offline ? '$0.00 (offline)' : options.priced ? formatUsd(totals.costUsd) : 'cost unknown (no price for this model)';
        out.write(
          `\n${paint('gray', 'usage:')} ${totals.steps} step${totals.steps === 1 ? '' : 's'} · ${totals.toolCalls} tool call${totals.toolCalls === 1 ? '' : 's'} · ` +
            `${formatCount(totals.inputTokens)} input${totals.cachedInputTokens ? ` (${formatCount(totals.cachedInputTokens)} cached)` : ''} + ` +
            `${formatCount(totals.outputTokens)} output tokens${totals.reasoningTokens ? ` (${formatCount(totals.reasoningTokens)} reasoning)` : ''} · ${cost}` +
            `${totals.cacheHits || totals.cacheMisses ? ` · tool cache ${totals.cacheHits ?? 0} hit${totals.cacheHits === 1 ? '' : 's'}, ${totals.cacheMisses ?? 0} miss${totals.cacheMisses === 1 ? '' : 'es'}` : ''}\n`,
        );
        return;
      }
      default:
        return;
    }
  };
}

/** `--quiet`: the run's final answer and nothing else; why it did not finish goes to stderr. */
function quietRenderer(options: RendererOptions): (event: RunEvent) => void {
  return (event) => {
    if (event.type !== 'run-end') return;
    if (event.outcome === 'finished') options.out.write(`${event.text.trimEnd()}\n`);
    else if (event.outcome === 'failed') options.err.write(`Run failed: ${event.error ?? event.text}\n`);
    else if (event.outcome === 'cancelled') options.err.write('Run cancelled.\n');
    else options.err.write(`${event.text}\n`);
  };
}
