/**
 * @module `troubleshoot_issue`: the facts (the tail of an allowed log with its errors grouped, the machine's metrics,
 * Prometheus when configured), then an analysis of them by a model, or by rules when no model answers usably.
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { errorMessage } from '../../shared/errors.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { DevopsConfig } from './config.js';
import { ask, markInvalid } from './judge.js';
import { DEFAULT_TAIL_LINES, type ErrorGroup, groupErrors, resolveLogFile, tailFile } from './log-reader.js';
import { prometheusMetrics, type SystemMetrics, systemMetrics } from './metrics.js';
import type { DevopsRuntime } from './runtime.js';
import type { TroubleshootReport } from './schemas.js';

export const ANALYSIS_SECTIONS = ['Root Cause Analysis', 'Severity', 'Diagnostic Steps', 'Recommended Fixes', 'Prevention'] as const;

const ANALYSIS_SYSTEM_PROMPT =
  'You are a site reliability engineer. Diagnose the issue from the facts given (log errors grouped by signature, ' +
  'system metrics); do not invent facts, and say when the facts do not show something. Answer in markdown with exactly ' +
  `these sections: ${ANALYSIS_SECTIONS.map((section) => `"## ${section}"`).join(', ')}. Severity is one of critical, high, medium, low.`;

export interface TroubleshootRequest {
  readonly description: string;
  readonly logFile?: string | undefined;
  readonly includeMetrics: boolean;
  readonly lines?: number | undefined;
}

interface Facts {
  readonly description: string;
  readonly log: TroubleshootReport['log'];
  readonly logNote: string | null;
  readonly metrics: (SystemMetrics & { prometheus?: unknown }) | null;
}

export async function troubleshoot(runtime: DevopsRuntime, config: DevopsConfig, server: McpServer, context: ServerContext, request: TroubleshootRequest): Promise<TroubleshootReport> {
  let log: TroubleshootReport['log'] = null;
  let logNote: string | null = null;
  if (config.logDirs.length === 0 && request.logFile === undefined) {
    logNote = 'No log read: devops.logDirs is not configured.';
  } else {
    // A refused path is the caller's mistake, said as such (ToolFailure propagates); a missing default log is a note.
    try {
      const file = await resolveLogFile(config.logDirs, request.logFile);
      const tail = await tailFile(file.path, request.lines ?? DEFAULT_TAIL_LINES);
      const { groups, errorLines } = groupErrors(tail.lines);
      log = { file: file.path, lines_read: tail.lines.length, bytes: file.size, error_lines: errorLines, groups };
    } catch (error) {
      if (request.logFile !== undefined || !(error instanceof ToolFailure)) throw error;
      logNote = `No log read: ${error.message}`;
    }
  }
  let metrics: Facts['metrics'] = null;
  if (request.includeMetrics) {
    metrics = await systemMetrics([config.repo, ...config.logDirs]);
    if (config.prometheusUrl) metrics = { ...metrics, prometheus: await prometheusMetrics(config.prometheusUrl, context.mcpReq.signal) };
  }
  const facts: Facts = { description: request.description, log, logNote, metrics };

  let analysis: string;
  let source = 'rules';
  let note: string | null = null;
  let answer;
  try {
    answer = await ask({ db: runtime.db, server, context, own: runtime.own, tool: 'troubleshoot_issue', system: ANALYSIS_SYSTEM_PROMPT, prompt: analysisPrompt(facts), maxTokens: 2_000 });
  } catch (error) {
    answer = { answered: false as const, why: errorMessage(error) };
  }
  if (answer.answered) {
    const missing = ANALYSIS_SECTIONS.filter((section) => !new RegExp(`^#+\\s*${section}`, 'im').test(answer.text));
    if (missing.length === 0) {
      analysis = answer.text.trim();
      source = answer.source;
    } else {
      await markInvalid(runtime.db, answer.usageId, `missing sections: ${missing.join(', ')}`);
      analysis = ruleAnalysis(facts);
      note = `Rule-based analysis: ${answer.source} answered without the sections ${missing.join(', ')}.`;
    }
  } else {
    analysis = ruleAnalysis(facts);
    note = `Rule-based analysis: ${[runtime.ownProblem, answer.why].filter(Boolean).join('; ')}.`;
  }
  return { description: request.description, log, log_note: logNote, metrics: metrics as Record<string, unknown> | null, analysis_source: source, analysis_note: note, analysis };
}

function analysisPrompt(facts: Facts): string {
  const log = facts.log
    ? { file: facts.log.file, lines_read: facts.log.lines_read, error_lines: facts.log.error_lines, error_groups: facts.log.groups.map((group) => ({ signature: group.signature, count: group.count, first_seen: group.first_seen, last_seen: group.last_seen, example: group.example })) }
    : facts.logNote;
  return `Issue: ${facts.description}\n\nLog (JSON):\n${JSON.stringify(log, null, 2)}\n\nMetrics (JSON):\n${JSON.stringify(facts.metrics ?? 'not collected', null, 2)}`;
}

const HINTS: Array<{ pattern: RegExp; cause: string; fix: string }> = [
  { pattern: /ECONNREFUSED|connection refused/i, cause: 'a dependency refuses connections (down, or not listening where expected)', fix: 'Check the dependency the errors name is running and reachable at the configured address; restart it or fix the address' },
  { pattern: /ETIMEDOUT|timed? ?out|deadline exceeded/i, cause: 'calls to a dependency time out', fix: 'Find the slow dependency (latency metrics), raise its capacity, and add timeouts with retries and backoff' },
  { pattern: /ENOSPC|no space left/i, cause: 'a disk is full', fix: 'Free disk space (old logs, temp files) and add log rotation' },
  { pattern: /out of memory|OOM|heap|ENOMEM/i, cause: 'the process runs out of memory', fix: 'Look for a leak (heap snapshot), raise the memory limit, or reduce batch sizes' },
  { pattern: /EACCES|permission denied|EPERM/i, cause: 'a permission is missing', fix: 'Check the owner and mode of the file or socket named in the errors' },
  { pattern: /ENOTFOUND|getaddrinfo|name resolution/i, cause: 'a host name does not resolve', fix: 'Check DNS and the configured host names' },
  { pattern: /\b5\d\d\b|Internal Server Error/i, cause: 'requests fail with server errors', fix: 'Follow one failing request through the logs to its first error' },
];

/** An analysis from the facts alone, in the same five sections a model is asked for. */
export function ruleAnalysis(facts: Facts): string {
  const groups: ErrorGroup[] = facts.log?.groups ?? [];
  const top = groups.slice(0, 3);
  const text = `${facts.description}\n${top.map((group) => group.example).join('\n')}`;
  const hints = HINTS.filter((hint) => hint.pattern.test(text));
  const memory = facts.metrics?.memory.used_percent ?? 0;
  const fullDisk = facts.metrics?.disks.find((disk) => disk.used_percent >= 90);
  const load = facts.metrics?.cpu.load_per_core_1m ?? 0;
  const errors = facts.log?.error_lines ?? 0;
  const severity = memory >= 95 || (fullDisk && fullDisk.used_percent >= 98) ? 'critical' : errors >= 50 || memory >= 90 || fullDisk || load >= 2 ? 'high' : errors > 0 ? 'medium' : 'low';
  const causes = [
    ...top.map((group) => `${group.count}× \`${group.signature}\` (first ${group.first_seen ?? 'unknown'}, last ${group.last_seen ?? 'unknown'})`),
    ...hints.map((hint) => `Likely: ${hint.cause}.`),
  ];
  if (fullDisk) causes.push(`Disk ${fullDisk.path} is ${fullDisk.used_percent}% full.`);
  if (memory >= 90) causes.push(`Memory is ${memory}% used.`);
  if (load >= 2) causes.push(`CPU load is ${load} per core.`);
  if (causes.length === 0) causes.push(facts.log ? 'The log tail has no error lines; the facts do not show a cause.' : 'No log was read and the metrics show nothing abnormal; the facts do not show a cause.');
  const steps = [
    ...(facts.log ? [`Read more of ${facts.log.file} around ${top[0]?.last_seen ?? 'the last errors'}`] : ['Point troubleshoot_issue at the service log (log_file) to see its errors']),
    ...top.slice(0, 2).map((group) => `Count recent occurrences: grep -c ${JSON.stringify(group.signature.split('<')[0]!.trim().slice(0, 40))} ${facts.log?.file ?? 'the log'}`),
    'Compare with the last deploy: read deployment://history for what changed and when',
  ];
  const fixes = hints.length > 0 ? hints.map((hint) => hint.fix) : ['Fix the first error in time order; later ones often follow from it', 'If it began with a deploy, roll back: rollback(environment=…)'];
  const prevention = ['Alert on the error rate of the signatures above', 'Keep log rotation and disk and memory alerts in place', 'Add a test that reproduces the failure before fixing it'];
  const list = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');
  return [
    `## Root Cause Analysis\n${list(causes)}`,
    `## Severity\n${severity}${errors > 0 ? ` (${errors} error line(s) in the last ${facts.log?.lines_read} lines)` : ''}`,
    `## Diagnostic Steps\n${list(steps)}`,
    `## Recommended Fixes\n${list(fixes)}`,
    `## Prevention\n${list(prevention)}`,
  ].join('\n\n');
}
