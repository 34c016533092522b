/**
 * @module The devops server's own tables (created by `migrations.ts`, in the same database as the host's
 * store but owned by this server alone). Times are ISO-8601 UTC strings; JSON columns hold text.
 */
export interface DevopsDeploymentsTable {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback';
  readonly environment: string;
  readonly branch: string | null;
  readonly sha: string;
  /** The commit the environment ran before (the last successful deploy), if any. */
  readonly previous_sha: string | null;
  /** `running` until the command ends; `blocked` (the verdict or the facts said no), `declined` (no approval). */
  status: 'running' | 'succeeded' | 'failed' | 'timed_out' | 'blocked' | 'declined';
  readonly recommendation: string | null;
  readonly risk_level: string | null;
  /** `model:<id>`, `sampling:<client model>` or `rules`. */
  readonly verdict_source: string | null;
  /** The verdict as JSON. */
  readonly verdict: string | null;
  approver: string | null;
  readonly started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  exit_code: number | null;
  output_tail: string | null;
  /** The facts and verdict the report was built from, as JSON. */
  report: string | null;
}

/** One row per environment while a deploy or rollback runs there: the compare-and-set lock. */
export interface DevopsEnvironmentLocksTable {
  readonly environment: string;
  readonly deployment_id: string;
  readonly acquired_at: string;
  /** After this the lock is taken to be left by a crashed process. */
  readonly expires_at: string;
}

/** The append-only, hash-chained record of every command the server ran. */
export interface DevopsCommandsTable {
  readonly seq: number;
  readonly at: string;
  readonly deployment_id: string | null;
  /** `git`, `test`, `deploy`, `rollback`. */
  readonly purpose: string;
  /** The argv as JSON. */
  readonly argv: string;
  readonly cwd: string;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly timed_out: number;
  readonly duration_ms: number;
  readonly approved_by: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

/** One row per call of the server's own model or of the client's (sampling). */
export interface DevopsModelUsageTable {
  readonly id: string;
  readonly at: string;
  readonly tool: string;
  /** `own` (devops.model, counted against devops.budgetUsd) or `sampling` (the client's model and budget). */
  readonly source: 'own' | 'sampling';
  readonly model: string;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cost_usd: number;
  /** 1 when the answer was a valid verdict or analysis. */
  readonly ok: number;
  readonly error: string | null;
}

export interface DevopsDatabase {
  devops_deployments: DevopsDeploymentsTable;
  devops_environment_locks: DevopsEnvironmentLocksTable;
  devops_commands: DevopsCommandsTable;
  devops_model_usage: DevopsModelUsageTable;
}
