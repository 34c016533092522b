/** @module zod schemas of the devops tools' inputs and structured results. */
import { z } from 'zod';
import { VerdictSchema } from './verdict.js';

export const EnvironmentNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .describe('Target environment as named in devops.environments, e.g. staging or production');

export const BranchSchema = z.string().trim().min(1).max(200).describe('Git branch (or tag or commit) to deploy, e.g. main');

const TestsSchema = z.object({
  status: z.enum(['passed', 'failed', 'timed-out', 'could-not-run', 'not-configured', 'skipped']),
  command: z.array(z.string()).nullable(),
  exit_code: z.number().int().nullable(),
  duration_ms: z.number().nullable(),
  passed: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  skipped: z.number().int().nullable(),
  output_tail: z.string().nullable(),
});

export const DeployReportSchema = z.object({
  deployment_id: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  environment: z.string(),
  branch: z.string().nullable(),
  commit: z.string(),
  previous_commit: z.string().nullable(),
  status: z.enum(['succeeded', 'failed', 'timed_out', 'blocked', 'declined']),
  deployed: z.boolean().describe('true only when the deploy command ran and exited 0'),
  review: z.object({
    commits: z.array(z.object({ sha: z.string(), author: z.string(), date: z.string(), subject: z.string(), breaking: z.boolean() })),
    commits_truncated: z.boolean(),
    files_changed: z.number().int(),
    additions: z.number().int(),
    deletions: z.number().int(),
    files: z.array(z.object({ path: z.string(), status: z.string(), additions: z.number().int(), deletions: z.number().int() })),
    signals: z.array(z.object({ kind: z.string(), detail: z.string() })),
    working_tree_commit: z.string(),
    dirty_files: z.array(z.string()),
  }),
  tests: TestsSchema,
  config: z.object({ required: z.array(z.string()), present: z.array(z.string()), missing: z.array(z.string()) }),
  verdict: VerdictSchema,
  verdict_source: z.string().describe('model:<id> (the server\'s own model), sampling:<model> (the client\'s) or rules'),
  verdict_note: z.string().nullable().describe('Why the rules decided, when a model was not used or answered badly'),
  vetoed_by: z.array(z.string()).describe('Facts that forced DO_NOT_DEPLOY whatever the verdict said'),
  approver: z.string().nullable(),
  gate_note: z.string().nullable(),
  execution: z
    .object({ command: z.array(z.string()), exit_code: z.number().int().nullable(), duration_ms: z.number(), timed_out: z.boolean(), output_tail: z.string() })
    .nullable(),
  message: z.string(),
});
export type DeployReport = z.infer<typeof DeployReportSchema>;

export const TroubleshootReportSchema = z.object({
  description: z.string(),
  log: z
    .object({
      file: z.string(),
      lines_read: z.number().int(),
      bytes: z.number().int(),
      error_lines: z.number().int(),
      groups: z.array(z.object({ signature: z.string(), count: z.number().int(), first_seen: z.string().nullable(), last_seen: z.string().nullable(), example: z.string() })),
    })
    .nullable(),
  log_note: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  analysis_source: z.string(),
  analysis_note: z.string().nullable(),
  analysis: z.string(),
});
export type TroubleshootReport = z.infer<typeof TroubleshootReportSchema>;
