/**
 * @module Real system metrics, read when asked: CPU load (`os.loadavg`, `/proc/stat` busy share), memory, disk
 * (`statfs` of the folders that matter), uptimes, and optionally a Prometheus server's targets and alerts.
 */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem, uptime } from 'node:os';
import { errorMessage } from '../../shared/errors.js';

const PROMETHEUS_TIMEOUT_MS = 3_000;

export interface DiskUsage {
  readonly path: string;
  readonly total_bytes: number;
  readonly free_bytes: number;
  readonly used_percent: number;
}

export interface SystemMetrics {
  readonly at: string;
  readonly cpu: { readonly cores: number; readonly load_1m: number; readonly load_5m: number; readonly load_15m: number; readonly load_per_core_1m: number };
  readonly memory: { readonly total_bytes: number; readonly available_bytes: number; readonly used_percent: number };
  readonly disks: DiskUsage[];
  readonly system_uptime_s: number;
  readonly process_uptime_s: number;
  readonly process_rss_bytes: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Memory the kernel says is available (`MemAvailable`), falling back to `os.freemem()` off Linux. */
async function availableMemory(): Promise<number> {
  try {
    const meminfo = await readFile('/proc/meminfo', 'utf8');
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

/** Disk usage of each folder's filesystem (folders that do not exist are left out). */
export async function diskUsage(paths: readonly string[]): Promise<DiskUsage[]> {
  const seen = new Set<string>();
  const disks: DiskUsage[] = [];
  for (const path of paths) {
    try {
      const info = await statfs(path);
      const total = Number(info.blocks) * Number(info.bsize);
      const free = Number(info.bavail) * Number(info.bsize);
      const key = `${info.type}:${info.blocks}:${info.bsize}`;
      if (seen.has(key)) continue;
      seen.add(key);
      disks.push({ path, total_bytes: total, free_bytes: free, used_percent: total > 0 ? round(((total - free) / total) * 100) : 0 });
    } catch {
      // missing folder: nothing to report
    }
  }
  return disks;
}

/** Reads the machine's metrics now. */
export async function systemMetrics(diskPaths: readonly string[]): Promise<SystemMetrics> {
  const [one, five, fifteen] = loadavg() as [number, number, number];
  const cores = cpus().length || 1;
  const total = totalmem();
  const available = await availableMemory();
  return {
    at: new Date().toISOString(),
    cpu: { cores, load_1m: round(one, 2), load_5m: round(five, 2), load_15m: round(fifteen, 2), load_per_core_1m: round(one / cores, 2) },
    memory: { total_bytes: total, available_bytes: available, used_percent: round(((total - available) / total) * 100) },
    disks: await diskUsage(['/', ...diskPaths]),
    system_uptime_s: Math.round(uptime()),
    process_uptime_s: Math.round(process.uptime()),
    process_rss_bytes: process.memoryUsage.rss(),
  };
}

export type PrometheusMetrics =
  | { readonly reachable: true; readonly url: string; readonly targets_up: number; readonly targets_down: string[]; readonly firing_alerts: Array<{ name: string; severity: string | null; summary: string | null }> }
  | { readonly reachable: false; readonly url: string; readonly error: string };

/** The targets that are down (`up == 0`) and the alerts firing on a Prometheus server, via its HTTP API. */
export async function prometheusMetrics(url: string, signal?: AbortSignal): Promise<PrometheusMetrics> {
  const base = url.replace(/\/+$/, '');
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.any([AbortSignal.timeout(PROMETHEUS_TIMEOUT_MS), ...(signal ? [signal] : [])]) });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    const body = (await response.json()) as { status?: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? 'status is not success'}`);
    return body.data;
  };
  try {
    const [up, alerts] = await Promise.all([get('/api/v1/query?query=up'), get('/api/v1/alerts')]);
    const results = ((up as { result?: unknown[] })?.result ?? []) as Array<{ metric?: Record<string, string>; value?: [number, string] }>;
    const down = results.filter((entry) => entry.value?.[1] === '0').map((entry) => `${entry.metric?.job ?? '?'}/${entry.metric?.instance ?? '?'}`);
    const firing = (((alerts as { alerts?: unknown[] })?.alerts ?? []) as Array<{ state?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>)
      .filter((alert) => alert.state === 'firing')
      .map((alert) => ({ name: alert.labels?.alertname ?? '?', severity: alert.labels?.severity ?? null, summary: alert.annotations?.summary ?? null }));
    return { reachable: true, url: base, targets_up: results.length - down.length, targets_down: down, firing_alerts: firing };
  } catch (error) {
    return { reachable: false, url: base, error: errorMessage(error) };
  }
}
