import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Usage } from '../types';

const COLORS = ['#4f7cff', '#19a974', '#ff8c42', '#b45eff', '#e5484d', '#00a2c7'];

/** Cost per day, stacked per model, and the totals per model. */
export function UsageChart({ usage }: { usage: Usage | undefined }) {
  if (!usage) return <section className="panel"><h2>Usage</h2><p className="muted">Loading…</p></section>;
  const models = usage.models.map((model) => model.model);
  const byDay = new Map<string, Record<string, number | string>>();
  for (const row of usage.days) {
    const entry = byDay.get(row.day) ?? { day: row.day };
    entry[row.model] = Number(row.costUsd.toFixed(6));
    entry[`${row.model} tokens`] = row.inputTokens + row.outputTokens;
    byDay.set(row.day, entry);
  }
  const data = [...byDay.values()];
  return (
    <section className="panel" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage since {usage.since.slice(0, 10)}</h2>
      {data.length === 0 ? (
        <p className="empty">No runs yet in this period.</p>
      ) : (
        <div className="chart" role="img" aria-label="Cost per day and model">
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={data}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
              <XAxis dataKey="day" stroke="var(--muted)" />
              <YAxis width={72} stroke="var(--muted)" tickFormatter={(value: number) => `$${value}`} />
              <Tooltip formatter={(value) => `$${Number(value).toFixed(4)}`} contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }} />
              <Legend />
              {models.map((model, index) => (
                <Bar key={model} dataKey={model} stackId="cost" maxBarSize={56} fill={COLORS[index % COLORS.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table>
        <caption className="visually-hidden">Totals per model</caption>
        <thead>
          <tr><th scope="col">model</th><th scope="col">runs</th><th scope="col">tool calls</th><th scope="col">input tokens</th><th scope="col">output tokens</th><th scope="col">cost</th></tr>
        </thead>
        <tbody>
          {usage.models.map((row) => (
            <tr key={row.model}>
              <td>{row.model}</td><td>{row.runs}</td><td>{row.toolCalls}</td><td>{row.inputTokens.toLocaleString()}</td><td>{row.outputTokens.toLocaleString()}</td><td>${row.costUsd.toFixed(4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
