import { useEffect, useState } from 'react';
import { getJson } from '../api';

/** One entry of the DevOps server's `deployment://history` (fields it may carry; others are shown raw). */
interface Deployment {
  id?: string;
  environment?: string;
  status?: string;
  commit?: string;
  sha?: string;
  branch?: string;
  approver?: string;
  verdict?: string;
  startedAt?: string;
  started_at?: string;
  durationMs?: number;
  duration_ms?: number;
  [key: string]: unknown;
}

function listOf(data: unknown): Deployment[] {
  if (Array.isArray(data)) return data as Deployment[];
  const value = data as { deployments?: unknown; items?: unknown } | null;
  if (Array.isArray(value?.deployments)) return value.deployments as Deployment[];
  if (Array.isArray(value?.items)) return value.items as Deployment[];
  return [];
}

/** Deployment history, read from the DevOps server's `deployment://history` resource through the API. */
export function Deployments() {
  const [rows, setRows] = useState<Deployment[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<{ data: unknown }>('/api/deployments').then((body) => setRows(listOf(body.data)), (failure: Error) => setError(failure.message));
  }, []);
  return (
    <section className="panel" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments</h2>
      {error && <p className="error">{error}</p>}
      {rows && rows.length === 0 && <p className="empty">No deployments yet.</p>}
      {rows && rows.length > 0 && (
        <table>
          <thead><tr><th scope="col">when</th><th scope="col">environment</th><th scope="col">status</th><th scope="col">commit</th><th scope="col">approver</th><th scope="col">verdict</th></tr></thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={String(row.id ?? index)}>
                <td>{String(row.startedAt ?? row.started_at ?? '')}</td><td>{row.environment}</td><td>{row.status}</td><td><code>{String(row.commit ?? row.sha ?? '').slice(0, 10)}</code></td><td>{row.approver}</td><td>{row.verdict}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** System health, read from the DevOps server's `system://health` resource: each top-level figure as a tile. */
export function SystemHealth() {
  const [data, setData] = useState<Record<string, unknown>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<{ data: Record<string, unknown> }>('/api/system-health').then((body) => setData(body.data), (failure: Error) => setError(failure.message));
  }, []);
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">System health</h2>
      {error && <p className="error">{error}</p>}
      {data && (
        <div className="grid">
          {Object.entries(data).map(([key, value]) => (
            <article key={key} className="card tile">
              <span className="muted">{key}</span>
              {typeof value === 'object' && value !== null ? <pre>{JSON.stringify(value, null, 2)}</pre> : <strong>{String(value)}</strong>}
            </article>
          ))}
        </div>
      )}
    </section>
  );
}
