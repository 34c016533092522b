/**
 * The built-in servers in one shared process (`node dist/server.js --shared …`, each server on a socket of its
 * own), as `loadSettings` configures them and `McpHost` starts them: real processes, real sockets.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import type { McpServerConfig } from '../src/config/schema.js';
import { SHARED_PROCESS, type SharedMemberConfig, sharedProcessOf } from '../src/config/shared-process.js';
import { McpHost } from '../src/mcp/index.js';
import { PrestartedServers } from '../src/mcp/prestart.js';
import { openStore } from '../src/store/database.js';
import { freshWorkspace } from './helpers/cli.js';
import { alive } from './helpers/processes.js';

const hosts: McpHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

/** A workspace with a prepared store and the settings the CLI would load there. */
async function workspace(options: { config?: object; env?: Record<string, string> } = {}) {
  const { home, cwd } = freshWorkspace();
  mkdirSync(home, { recursive: true });
  if (options.config) writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(options.config));
  const settings = loadSettings({ cwd, env: { DECKHAND_HOME: home, ...options.env } });
  await (await openStore({ file: settings.dbFile })).close();
  return settings;
}

async function start(servers: Readonly<Record<string, McpServerConfig>>): Promise<McpHost> {
  const host = await McpHost.start({ servers });
  hosts.push(host);
  return host;
}

/** The same configs without their shared process: each server spawned on its own, as `deckhand mcp <name>` runs. */
function standalone(servers: Readonly<Record<string, McpServerConfig>>): Record<string, McpServerConfig> {
  return Object.fromEntries(
    Object.entries(servers).map(([name, config]) => {
      const { [SHARED_PROCESS]: _shared, ...own } = config as McpServerConfig & { [SHARED_PROCESS]?: unknown };
      return [name, own as McpServerConfig];
    }),
  );
}

/** The environment a process started with, as the kernel shows it to others. */
function environOf(pid: number): string {
  return readFileSync(`/proc/${pid}/environ`, 'utf8');
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the built-in servers in one shared process', () => {
  it('serves all six from one process, each its own server with the tools it lists on its own', { timeout: 60_000 }, async () => {
    const settings = await workspace();
    expect(settings.builtinServers).toHaveLength(6);
    const host = await start(settings.servers);
    expect(host.failures()).toEqual([]);
    const pids = new Set(host.connections.map((connection) => connection.pid));
    expect(pids.size).toBe(1);
    const [pid] = pids;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--shared', ...settings.builtinServers]));

    const alone = await start(standalone(settings.servers));
    expect(new Set(alone.connections.map((connection) => connection.pid)).size).toBe(6);
    for (const name of settings.builtinServers) {
      expect(host.connection(name)!.tools, name).toEqual(alone.connection(name)!.tools);
    }
    // Each server answers on its own connection, from the one store.
    const order = await host.call('orders__get_order', { order_id: 'XYZ-789' }, { toolCallId: 'call-1' });
    const email = await host.call('crm__getCustomerEmail', { order_id: 'XYZ-789' }, { toolCallId: 'call-2' });
    expect(order).toMatchObject({ isError: false });
    expect(email.text).toContain('lisa.park@example.com');

    await host.close();
    await until(() => !alive(pid!), 'the shared process to exit after host.close()');
  });

  it('a crash of the shared process is reported, and every member restarts in one new process', { timeout: 60_000 }, async () => {
    const settings = await workspace({ config: { builtinServers: ['crm', 'orders', 'notes'] } });
    const host = await start(settings.servers);
    const [before] = new Set(host.connections.map((connection) => connection.pid));
    process.kill(before!, 'SIGKILL');
    await until(() => host.connections.every((connection) => connection.state === 'restarting' || connection.pid !== before), 'the members to see the crash');
    const seen = host.status().map((status) => status.error ?? '');
    expect(seen.every((error) => error.startsWith('exited'))).toBe(true);
    await until(() => host.connections.every((connection) => connection.state === 'ready'), 'every member to restart');
    const after = new Set(host.connections.map((connection) => connection.pid));
    expect(after.size).toBe(1);
    expect(after.has(before)).toBe(false);
    const result = await host.call('crm__getCustomerEmail', { order_id: 'XYZ-789' }, { toolCallId: 'after-crash' });
    expect(result.text).toContain('lisa.park@example.com');
    expect((await host.call('notes__get_notes', { entity: 'order:XYZ-789' }, { toolCallId: 'notes' })).isError).toBe(false);
  });

  it("gives a member's own settings to it alone: SMTP_URL stays out of the shared environment, and a bad one fails only email", { timeout: 60_000 }, async () => {
    const settings = await workspace({ env: { SMTP_URL: 'not a url' } });
    const host = await start(settings.servers);
    expect(host.failures().map((failure) => failure.name)).toEqual(['email']);
    expect(host.failures()[0]!.error).toContain('SMTP_URL is not a URL');
    const ready = host.connections.filter((connection) => connection.state === 'ready');
    expect(ready.map((connection) => connection.name)).toEqual(['crm', 'orders', 'notes', 'issues', 'devops']);
    expect(environOf(ready[0]!.pid!)).not.toContain('SMTP_URL');
  });

  it('keeps provider keys out of it: devops with a model of its own runs in a process of its own', { timeout: 60_000 }, async () => {
    const settings = await workspace({
      config: { builtinServers: ['crm', 'notes', 'devops'], devops: { repo: '.', model: 'openai:gpt-4.1-mini' } },
      env: { OPENAI_API_KEY: 'sk-test-provider-key' },
    });
    expect(sharedProcessOf(settings.servers.devops!)).toBeUndefined();
    const host = await start(settings.servers);
    expect(host.failures()).toEqual([]);
    const devops = host.connection('devops')!.pid!;
    const crm = host.connection('crm')!.pid!;
    expect(host.connection('notes')!.pid).toBe(crm);
    expect(devops).not.toBe(crm);
    expect(environOf(devops)).toContain('sk-test-provider-key');
    expect(environOf(crm)).not.toContain('sk-test-provider-key');
  });

  it('leaves out what the config replaces, and a subset of built-ins shares one process', async () => {
    const settings = await workspace({ config: { builtinServers: ['crm', 'notes', 'email'], mcpServers: { email: { command: 'my-email-server' } } } });
    expect(sharedProcessOf(settings.servers.email!)).toBeUndefined();
    expect(sharedProcessOf(settings.servers.crm!)).toBeDefined();
    expect(sharedProcessOf(settings.servers.crm!)).toBe(sharedProcessOf(settings.servers.notes!));
  });
});

const WAITING_PROCESS = fileURLToPath(new URL('./fixtures/waiting-shared-process.ts', import.meta.url));

/** Two members of one shared process running the waiting stand-in. */
function waitingMembers(): Record<string, SharedMemberConfig> {
  const spec = { command: process.execPath, args: [WAITING_PROCESS], env: {} };
  return {
    a: { command: 'unused', args: [], env: { ONLY_A: '1' }, [SHARED_PROCESS]: spec },
    b: { command: 'unused', args: [], env: {}, [SHARED_PROCESS]: spec },
  };
}

describe('PrestartedServers: the shared process spawned before the host starts', () => {
  // Invariant: a child spawned early (before the host has migrated a fresh database) is handed its members'
  // environments at once, so its servers can answer the handshake, but is told the database is ready (and so opens
  // it) only once the host says so.
  it('hands the child its members\' environments at once and says the database is ready only once ready resolves', { timeout: 30_000 }, async () => {
    const servers = waitingMembers();
    const ready = Promise.withResolvers<void>();
    const prestarted = PrestartedServers.spawn(servers, { ready: ready.promise });
    const shared = prestarted.take(servers)!;
    expect(prestarted.take(servers)).toBeUndefined();
    const child = shared.byServer.get('a')!;
    expect(shared.byServer.get('b')).toBe(child);
    const pid = child.pid;
    expect(pid).toBeDefined();
    let stderr = '';
    child.takeSocket('a', (chunk) => (stderr += chunk));
    expect(child.pid).toBe(pid);
    try {
      await until(() => stderr.includes('control {'), "the members' environments to reach the child");
      const lines = () => stderr.split('\n').filter((line) => line.startsWith('control '));
      expect(JSON.parse(lines()[0]!.slice('control '.length))).toEqual({ servers: [{ name: 'a', env: { ONLY_A: '1' } }, { name: 'b', env: {} }] });
      await until(() => stderr.includes('tick'), 'the child to wait 100 ms');
      expect(lines()).toHaveLength(1);
      ready.resolve();
      await until(() => stderr.includes('control closed'), 'the control pipe to end');
      expect(lines().slice(1)).toEqual(['control {"ready":true}', 'control closed']);
    } finally {
      await child.close();
    }
  });

  it('ends a child that is still waiting when closed before ready, having never said the database is ready', { timeout: 30_000 }, async () => {
    const servers = waitingMembers();
    const prestarted = PrestartedServers.spawn(servers, { ready: new Promise(() => {}) });
    const shared = prestarted.take(servers)!;
    const child = shared.byServer.get('a')!;
    const pid = child.pid!;
    let stderr = '';
    child.takeSocket('a', (chunk) => (stderr += chunk));
    await until(() => stderr.includes('waiting'), 'the child to start');
    await child.close();
    expect(alive(pid)).toBe(false);
    expect(stderr).not.toContain('"ready"');
  });

  it('taken for other servers, it closes what it spawned and hands over nothing', { timeout: 30_000 }, async () => {
    const servers = waitingMembers();
    const prestarted = PrestartedServers.spawn(servers, { ready: Promise.resolve() });
    expect(prestarted.take({ ...servers })).toBeUndefined();
    expect(prestarted.take(servers)).toBeUndefined();
  });

  // Invariant: the host's handshake and tool listing do not wait for its store (a fresh home's migrations): the
  // servers list their tools with the database not yet opened, and a call made meanwhile waits for it.
  it('the built-in servers list their tools before a fresh home\'s store exists, and a call made then waits for it', { timeout: 60_000 }, async () => {
    const { home, cwd } = freshWorkspace();
    const settings = loadSettings({ cwd, env: { DECKHAND_HOME: home } });
    const ready = Promise.withResolvers<void>();
    const prestarted = PrestartedServers.spawn(settings.servers, { ready: ready.promise });
    const host = await McpHost.start({ servers: settings.servers, prestarted });
    hosts.push(host);
    expect(host.failures()).toEqual([]);
    expect(host.connections.map((connection) => [connection.name, connection.state])).toEqual(settings.builtinServers.map((name) => [name, 'ready']));
    expect(host.specs().some((spec) => spec.name === 'crm__getCustomerEmail')).toBe(true);
    expect(existsSync(settings.dbFile)).toBe(false);
    let answered = false;
    const call = host.call('crm__getCustomerEmail', { order_id: 'XYZ-789' }, { toolCallId: 'before-ready' }).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    const store = await openStore({ file: settings.dbFile });
    ready.resolve();
    expect((await call).text).toContain('lisa.park@example.com');
    await store.close();
  });

  it('the built-in servers spawned before a fresh home\'s store is opened serve from it once it is', { timeout: 60_000 }, async () => {
    const { home, cwd } = freshWorkspace();
    const settings = loadSettings({ cwd, env: { DECKHAND_HOME: home } });
    const ready = Promise.withResolvers<void>();
    const prestarted = PrestartedServers.spawn(settings.servers, { ready: ready.promise });
    expect(existsSync(settings.dbFile)).toBe(false);
    const store = await openStore({ file: settings.dbFile });
    ready.resolve();
    const host = await McpHost.start({ servers: settings.servers, prestarted });
    hosts.push(host);
    await store.close();
    expect(host.failures()).toEqual([]);
    expect(new Set(host.connections.map((connection) => connection.pid)).size).toBe(1);
    expect((await host.call('crm__getCustomerEmail', { order_id: 'XYZ-789' }, { toolCallId: 'early' })).text).toContain('lisa.park@example.com');
  });
});
