import { useCallback, useEffect, useState } from 'react';
import { getJson } from '../api';
import type { Deployment, DeploymentHistory, SystemHealthReport } from '../types';

const STATUS_BADGE: Record<Deployment['status'], string> = {
  running: 'badge-running',
  succeeded: 'badge-ok',
  failed: 'badge-error',
  timed_out: 'badge-error',
  blocked: 'badge-error',
  declined: 'badge-denied',
};

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const seconds = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s`);
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

function duration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/** Deployment history from the DevOps server's `deployment://history`, newest first, a page at a time. */
export function Deployments() {
  const [rows, setRows] = useState<Deployment[]>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const load = useCallback((cursor?: string) => {
    const path = cursor ? `/api/deployments?cursor=${encodeURIComponent(cursor)}` : '/api/deployments';
    getJson<{ data: DeploymentHistory }>(path).then(
      (body) => {
        setRows((previous) => (cursor ? [...(previous ?? []), ...body.data.deployments] : body.data.deployments));
        setNext(body.data.next_cursor);
      },
      (failure: Error) => setError(failure.message),
    );
  }, []);
  useEffect(() => load(), [load]);
  return (
    <section className="panel" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments</h2>
      {error && <p className="error">{error}</p>}
      {rows && rows.length === 0 && <p className="empty">No deployments yet. Ask the agent to “deploy main to staging”.</p>}
      {rows && rows.length > 0 && (
        <div className="table-scroll">
          <table data-testid="deployments">
            <thead>
              <tr><th scope="col">started</th><th scope="col">environment</th><th scope="col">what</th><th scope="col">status</th><th scope="col">commit</th><th scope="col">verdict</th><th scope="col">approver</th><th scope="col">took</th></tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-deployment-id={row.id}>
                  <td><time dateTime={row.started_at}>{when(row.started_at)}</time></td>
                  <td>{row.environment}</td>
                  <td>{row.kind}{row.branch ? ` ${row.branch}` : ''}</td>
                  <td><span className={`badge ${STATUS_BADGE[row.status]}`}>{row.status.replace('_', ' ')}</span></td>
                  <td><code title={row.sha}>{row.sha.slice(0, 10)}</code></td>
                  <td>{row.recommendation ? `${row.recommendation}${row.risk_level ? ` (${row.risk_level} risk)` : ''}` : ''}</td>
                  <td>{row.approver ?? ''}</td>
                  <td>{seconds(row.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <button type="button" onClick={() => load(next)}>Older deployments</button>}
    </section>
  );
}

/** System health from the DevOps server's `system://health`: status, machine, deploys, model budget, command log. */
export function SystemHealth() {
  const [report, setReport] = useState<SystemHealthReport>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const read = () => getJson<{ data: SystemHealthReport }>('/api/system-health').then((body) => setReport(body.data), (failure: Error) => setError(failure.message));
    read();
    const timer = setInterval(read, 30_000);
    return () => clearInterval(timer);
  }, []);
  const badge = report?.status === 'healthy' ? 'badge-ok' : report?.status === 'degraded' ? 'badge-running' : 'badge-error';
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">System health {report && <span className={`badge ${badge}`} data-testid="health-status">{report.status}</span>}</h2>
      {error && <p className="error">{error}</p>}
      {report?.config_problem && <p className="error">{report.config_problem}</p>}
      {report && (
        <div className="grid">
          <article className="card tile">
            <span className="muted">CPU</span>
            <strong>load {report.cpu.load_1m} · {report.cpu.load_5m} · {report.cpu.load_15m}</strong>
            <span>{report.cpu.cores} cores, {report.cpu.load_per_core_1m} per core</span>
          </article>
          <article className="card tile">
            <span className="muted">Memory</span>
            <strong>{report.memory.used_percent}% used</strong>
            <span>{gib(report.memory.available_bytes)} free of {gib(report.memory.total_bytes)}</span>
          </article>
          {report.disks.map((disk) => (
            <article key={disk.path} className="card tile">
              <span className="muted">Disk {disk.path}</span>
              <strong>{disk.used_percent}% used</strong>
              <span>{gib(disk.free_bytes)} free of {gib(disk.total_bytes)}</span>
            </article>
          ))}
          <article className="card tile">
            <span className="muted">Uptime</span>
            <strong>{duration(report.system_uptime_s)}</strong>
            <span>DevOps server up {duration(report.server_uptime_s)}</span>
          </article>
          <article className="card tile" data-testid="health-deployments">
            <span className="muted">Deployments</span>
            <strong>{report.deployments.total}</strong>
            <span>{Object.entries(report.deployments.by_status).map(([status, count]) => `${count} ${status.replace('_', ' ')}`).join(', ') || 'none yet'}</span>
          </article>
          <article className="card tile">
            <span className="muted">Review model</span>
            <strong>{report.model.own ?? 'client sampling / rules'}</strong>
            <span>
              {report.model.budget_usd !== null ? `$${report.model.spent_usd.toFixed(4)} of $${report.model.budget_usd.toFixed(2)} spent` : `$${report.model.spent_usd.toFixed(4)} spent`}
              {report.model.own_problem ? ` — ${report.model.own_problem}` : ''}
            </span>
          </article>
          <article className="card tile" data-testid="health-command-log">
            <span className="muted">Command log</span>
            <strong>{report.command_log.ok ? 'chain verifies' : 'chain broken'}</strong>
            <span>{report.command_log.ok ? `${report.command_log.entries} entries` : `at entry ${report.command_log.brokenAt}: ${report.command_log.problem}`}</span>
          </article>
        </div>
      )}
    </section>
  );
}
