import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings, type Settings } from '../../config/load.js';
import { errorMessage } from '../../shared/errors.js';
import { checkStore, withSettingsStore } from '../../app/store.js';
import { createPainter, formatDuration } from '../format.js';
import { resolveRuntimeModel } from '../../app/runtime.js';
import { probeServers } from '../../app/server-probe.js';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const MODEL_CHECK_TIMEOUT_MS = 20_000;
/** The `engines` floor in package.json. */
const MIN_NODE_MAJOR = 24;

/** `deckhand doctor`: checks Node, the data dir, the store, each server and the model; exit 1 when any fails. */
export async function doctorCommand(options: { json?: boolean; model?: readonly string[] }): Promise<number> {
  const checks: Check[] = [];
  const check = async (name: string, probe: () => Promise<string> | string) => {
    try {
      checks.push({ name, ok: true, detail: await probe() });
    } catch (error) {
      checks.push({ name, ok: false, detail: errorMessage(error) });
    }
  };

  await check('node', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < MIN_NODE_MAJOR) throw new Error(`Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}; install Node ${MIN_NODE_MAJOR} LTS or newer.`);
    // The embedded store is the built-in node:sqlite: no native addon to match to this Node build.
    return `Node ${process.versions.node}, SQLite ${process.versions.sqlite ?? 'unknown'} (node:sqlite)`;
  });
  let settings: Settings | undefined;
  await check('config', () => {
    settings = loadSettings({ flags: options.model ? { model: options.model } : {} });
    return settings.configFile ?? 'no config file (defaults)';
  });
  if (settings) {
    const current = settings;
    await check('data dir', () => {
      mkdirSync(current.home, { recursive: true });
      accessSync(current.home, constants.W_OK);
      const probe = join(current.home, `.doctor-${process.pid}`);
      writeFileSync(probe, 'ok');
      rmSync(probe);
      return `${current.home} is writable`;
    });
    await check('store', async () => {
      // With DATABASE_URL the store is PostgreSQL only: the SQLite file is neither opened nor created.
      const { location, schema } = await checkStore(current);
      return `${location} (schema ${schema})`;
    });
    const databaseUrl = current.databaseUrl;
    if (databaseUrl) {
      // Several processes on one PostgreSQL: the queue they share, and who takes from it.
      const { queueReport } = await import('../../queue/queue-report.js');
      let report: Awaited<ReturnType<typeof queueReport>> | undefined;
      await check('queue', async () => (report = await withSettingsStore((store) => queueReport(databaseUrl, store.db), { seed: false })).queue);
      if (report) await check('workers', () => report!.workers);
    }
    // Remote servers start with their stored OAuth login, as in a run.
    const probe = await probeServers(current);
    const elapsed = formatDuration(probe.elapsedMs);
    for (const server of probe.servers) {
      await check(`server ${server.name}`, () => {
        if (server.state !== 'ready') throw new Error(server.error ?? server.state);
        return `${server.tools} tool${server.tools === 1 ? '' : 's'} (all servers started in ${elapsed})`;
      });
    }
    await check('model', async () => {
      const { direct: model } = resolveRuntimeModel(current);
      if (model.provider === 'offline') return 'offline planner (no network needed)';
      const signal = AbortSignal.timeout(MODEL_CHECK_TIMEOUT_MS);
      const started = performance.now();
      for await (const _part of model.stream({ messages: [{ role: 'user', content: 'Reply with the word ok.' }], tools: [] }, { signal })) {
        // Draining the stream proves the endpoint, key and model id all work.
      }
      return `${model.id} answered in ${formatDuration(performance.now() - started)}`;
    });
  }

  const failed = checks.filter((entry) => !entry.ok).length;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok: failed === 0, checks }, null, 2)}\n`);
  } else {
    const paint = createPainter(process.stdout);
    for (const entry of checks) {
      process.stdout.write(`${entry.ok ? paint('green', '✓') : paint('red', '✗')} ${entry.name.padEnd(14)} ${entry.detail}\n`);
    }
    process.stdout.write(failed === 0 ? '\nAll checks passed.\n' : `\n${failed} check${failed === 1 ? '' : 's'} failed.\n`);
  }
  return failed === 0 ? 0 : 1;
}
