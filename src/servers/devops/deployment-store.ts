/**
 * @module The deployments of the devops server: history rows, the last successful deploy of an environment, and
 * the per-environment lock that lets one deploy run at a time (a compare-and-set insert, not a read-then-write).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from '../shared/pagination.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { DevopsDatabase, DevopsDeploymentsTable } from './tables.js';

export type DeploymentRow = Selectable<DevopsDeploymentsTable>;

/** A deployment as history shows it (JSON columns parsed). */
export interface Deployment {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback';
  readonly environment: string;
  readonly branch: string | null;
  readonly sha: string;
  readonly previous_sha: string | null;
  readonly status: DeploymentRow['status'];
  readonly recommendation: string | null;
  readonly risk_level: string | null;
  readonly verdict_source: string | null;
  readonly verdict: unknown;
  readonly approver: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly duration_ms: number | null;
  readonly exit_code: number | null;
  readonly output_tail: string | null;
}

/** Ids sort by start time: `dep_<ms base36>_<random>`. */
export function newDeploymentId(now = Date.now()): string {
  return `dep_${now.toString(36).padStart(9, '0')}_${randomBytes(4).toString('hex')}`;
}

export function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    kind: row.kind,
    environment: row.environment,
    branch: row.branch,
    sha: row.sha,
    previous_sha: row.previous_sha,
    status: row.status,
    recommendation: row.recommendation,
    risk_level: row.risk_level,
    verdict_source: row.verdict_source,
    verdict: row.verdict ? (JSON.parse(row.verdict) as unknown) : null,
    approver: row.approver,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    exit_code: row.exit_code === null ? null : Number(row.exit_code),
    output_tail: row.output_tail,
  };
}

/** Extra time a lock outlives its command's timeout before it counts as left by a crashed process. */
const LOCK_SLACK_MS = 5 * 60_000;

export class DeploymentStore {
  constructor(private readonly db: Kysely<DevopsDatabase>) {}

  /**
   * Takes the environment's lock for `deploymentId`, or throws a ToolFailure naming the deploy in progress. A lock
   * past its expiry (its process died) is taken over, with a compare-and-set on the old holder.
   */
  async lock(environment: string, deploymentId: string, holdMs: number): Promise<void> {
    const now = new Date();
    const row = { environment, deployment_id: deploymentId, acquired_at: now.toISOString(), expires_at: new Date(now.getTime() + holdMs + LOCK_SLACK_MS).toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await this.db.insertInto('devops_environment_locks').values(row).onConflict((conflict) => conflict.column('environment').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return;
      const holder = await this.db.selectFrom('devops_environment_locks').selectAll().where('environment', '=', environment).executeTakeFirst();
      if (!holder) continue;
      if (holder.expires_at > now.toISOString()) {
        throw new ToolFailure(
          `A deploy to ${environment} is in progress (${holder.deployment_id}, started ${holder.acquired_at}). ` +
            `Wait for it to finish (read deployment://${holder.deployment_id}), then try again.`,
        );
      }
      await this.db.deleteFrom('devops_environment_locks').where('environment', '=', environment).where('deployment_id', '=', holder.deployment_id).execute();
    }
    throw new ToolFailure(`Could not lock ${environment} for a deploy; another deploy just started there. Try again shortly.`);
  }

  /** Releases the environment's lock if `deploymentId` holds it. */
  async unlock(environment: string, deploymentId: string): Promise<void> {
    await this.db.deleteFrom('devops_environment_locks').where('environment', '=', environment).where('deployment_id', '=', deploymentId).execute();
  }

  /** The last deploy or rollback of `environment` that succeeded, if any. */
  async lastSucceeded(environment: string, before?: string): Promise<DeploymentRow | undefined> {
    let query = this.db.selectFrom('devops_deployments').selectAll().where('environment', '=', environment).where('status', '=', 'succeeded');
    if (before !== undefined) query = query.where('id', '<', before);
    return query.orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** The successful deploys of `environment`, newest first. */
  async succeeded(environment: string, limit: number): Promise<DeploymentRow[]> {
    return this.db.selectFrom('devops_deployments').selectAll().where('environment', '=', environment).where('status', '=', 'succeeded').orderBy('id', 'desc').limit(limit).execute();
  }

  async insert(row: DeploymentRow): Promise<void> {
    await this.db.insertInto('devops_deployments').values(row).execute();
  }

  async finish(id: string, changes: Partial<Pick<DeploymentRow, 'status' | 'finished_at' | 'duration_ms' | 'exit_code' | 'output_tail' | 'report' | 'approver'>>): Promise<void> {
    await this.db.updateTable('devops_deployments').set(changes).where('id', '=', id).execute();
  }

  async get(id: string): Promise<Deployment | undefined> {
    const row = await this.db.selectFrom('devops_deployments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDeployment(row) : undefined;
  }

  /** History, newest first, keyset-paginated by id (ids sort by start time). */
  async page(options: { cursor?: string; limit: number; environment?: string }): Promise<{ deployments: Deployment[]; next_cursor: string | null }> {
    const after = decodeCursor(options.cursor);
    let query = this.db.selectFrom('devops_deployments').selectAll().orderBy('id', 'desc').limit(options.limit + 1);
    if (after !== undefined) query = query.where('id', '<', after);
    if (options.environment !== undefined) query = query.where('environment', '=', options.environment);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return {
      deployments: page.map(toDeployment),
      next_cursor: rows.length > options.limit && page.length > 0 ? encodeCursor(page.at(-1)!.id) : null,
    };
  }

  /** Deploy counts by status. */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('devops_deployments').select(['status', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
