/** @module Markdown reports of the devops tools, built from the same facts as their structured results. */
import type { DeployReport, TroubleshootReport } from './schemas.js';

const bullet = (items: readonly string[], empty = 'none') => (items.length > 0 ? items.map((item) => `- ${item}`).join('\n') : `- ${empty}`);
const fence = (text: string) => `\`\`\`\n${text.replaceAll('```', "'''")}\n\`\`\``;

/** The deploy or rollback report: outcome first, then review, tests, config, verdict, gate and execution. */
export function renderDeployReport(report: DeployReport): string {
  const { review, tests, verdict } = report;
  const what = report.kind === 'rollback' ? `Rollback of ${report.environment} to ${report.commit.slice(0, 7)}` : `Deploy ${report.branch ?? ''} ${report.commit.slice(0, 7)} to ${report.environment}`.replace('  ', ' ');
  const testLine =
    tests.status === 'not-configured'
      ? 'not configured (set devops.testCommand)'
      : tests.status === 'skipped'
        ? `skipped: ${tests.output_tail ?? ''}`
        : `${tests.status} (exit ${tests.exit_code ?? 'none'}, ${tests.duration_ms} ms${tests.passed !== null ? `, ${tests.passed} passed` : ''}${tests.failed !== null ? `, ${tests.failed} failed` : ''}${tests.skipped !== null ? `, ${tests.skipped} skipped` : ''})`;
  const sections = [
    // The title says the outcome: hosts show a tool result's first line as its summary.
    `# ${what}: ${report.status.toUpperCase()}`,
    report.message,
    `- Deployment: ${report.deployment_id}\n- Branch: ${report.branch ?? '(none)'}\n- Commit: ${report.commit}\n- Previous deploy: ${report.previous_commit ?? 'none (first deploy)'}`,
    `## Review\n${review.commits.length}${review.commits_truncated ? '+' : ''} commit(s); ${review.files_changed} file(s), +${review.additions}/-${review.deletions}.\n` +
      `${bullet(review.commits.slice(0, 20).map((commit) => `${commit.sha.slice(0, 7)} ${commit.subject}${commit.breaking ? ' **BREAKING**' : ''}`), 'no new commits')}\n\n**Risk signals**\n${bullet(review.signals.map((signal) => `${signal.kind}: ${signal.detail}`))}`,
    `## Tests\n${testLine}${tests.output_tail && tests.status !== 'skipped' ? `\n\n${fence(tests.output_tail)}` : ''}`,
    `## Config\nRequired: ${report.config.required.join(', ') || 'nothing'}. Missing: ${report.config.missing.join(', ') || 'none'}.`,
    `## Verdict (${report.verdict_source})\n**${verdict.recommendation}**, ${verdict.risk_level} risk.\n\n${verdict.reasoning}${report.verdict_note ? `\n\n_${report.verdict_note}_` : ''}\n\n**Concerns**\n${bullet(verdict.concerns)}\n\n**Checklist**\n${bullet(verdict.deployment_checklist.map((item) => `[ ] ${item}`))}`,
    `## Gate\n${report.approver ? `Approved: ${report.approver}` : (report.gate_note ?? 'Not reached: the verdict said no.')}`,
  ];
  if (report.execution) {
    sections.push(
      `## Execution\n\`${report.execution.command.join(' ')}\` → ${report.execution.timed_out ? 'timed out' : `exit ${report.execution.exit_code}`} in ${report.execution.duration_ms} ms\n\n${fence(report.execution.output_tail || '(no output)')}`,
    );
  }
  return sections.join('\n\n');
}

/** The troubleshooting report: the analysis, then the facts it was drawn from. */
export function renderTroubleshootReport(report: TroubleshootReport): string {
  const sections = [`# Troubleshooting report\n**Issue:** ${report.description}`, `## Analysis (${report.analysis_source})\n${report.analysis}${report.analysis_note ? `\n\n_${report.analysis_note}_` : ''}`];
  if (report.log) {
    sections.push(
      `## Log: ${report.log.file}\nLast ${report.log.lines_read} lines; ${report.log.error_lines} error line(s) in ${report.log.groups.length} group(s).\n` +
        bullet(report.log.groups.map((group) => `${group.count}× ${group.signature} (first ${group.first_seen ?? '?'}, last ${group.last_seen ?? '?'})`), 'no error lines'),
    );
  } else if (report.log_note) {
    sections.push(`## Log\n${report.log_note}`);
  }
  if (report.metrics) sections.push(`## Metrics\n${fence(JSON.stringify(report.metrics, null, 2))}`);
  return sections.join('\n\n');
}
