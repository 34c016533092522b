/**
 * @module Which shared server processes a host's servers ask for, and spawning them before the host starts: a
 * front end that must also load its model, log and store (`deckhand run`) hands the built-in servers' Node start and
 * bundle load to the other core meanwhile, instead of starting them only once all of that is done.
 */
import type { McpServerConfig } from '../config/schema.js';
import { type SharedMemberConfig, type SharedServerProcessSpec, sharedProcessOf } from '../config/shared-process.js';
import { SharedServerProcess } from './shared-process.js';

/** The shared processes of a host's servers, and which process serves which server. */
export interface SharedProcesses {
  readonly processes: readonly SharedServerProcess[];
  readonly byServer: ReadonlyMap<string, SharedServerProcess>;
}

/**
 * The shared processes the servers ask for: one per spec, serving the servers whose configs name it. A server
 * alone in its spec is spawned on its own, as its command says: a shared process of one would cost the same.
 * Nothing is spawned yet.
 */
export function sharedProcessesOf(
  servers: Readonly<Record<string, McpServerConfig>>,
  options: { readonly ready?: Promise<void> } = {},
): SharedProcesses {
  const members = new Map<SharedServerProcessSpec, Array<{ name: string; env: Record<string, string> }>>();
  for (const [name, config] of Object.entries(servers)) {
    // Only a built-in server's stdio config carries a spec (a symbol no config file can set).
    const spec = sharedProcessOf(config);
    if (!spec) continue;
    const list = members.get(spec) ?? [];
    list.push({ name, env: (config as SharedMemberConfig).env });
    members.set(spec, list);
  }
  const processes: SharedServerProcess[] = [];
  const byServer = new Map<string, SharedServerProcess>();
  for (const [spec, list] of members) {
    if (list.length < 2) continue;
    const process = new SharedServerProcess(spec, list, options);
    processes.push(process);
    for (const member of list) byServer.set(member.name, process);
  }
  return { processes, byServer };
}

/**
 * The shared server processes of `servers`, spawned now, for `McpHost.start({ servers, prestarted })` to connect
 * to later. Each child loads its code at once but opens the database only when `ready` resolves (the host has
 * opened, migrated and seeded it). Whoever spawns them closes them unless a host took them.
 */
export class PrestartedServers implements AsyncDisposable {
  private shared: SharedProcesses | undefined;

  private constructor(
    private readonly servers: Readonly<Record<string, McpServerConfig>>,
    shared: SharedProcesses,
  ) {
    this.shared = shared;
  }

  /** Spawns the shared processes `servers` ask for (none when no two servers share one). */
  static spawn(servers: Readonly<Record<string, McpServerConfig>>, options: { readonly ready: Promise<void> }): PrestartedServers {
    const shared = sharedProcessesOf(servers, options);
    for (const process of shared.processes) process.prestart();
    return new PrestartedServers(servers, shared);
  }

  /**
   * Hands the processes to a host starting `servers`, once. Undefined for other servers (another config object:
   * the processes spawned for this one are closed) or when they were taken or closed already.
   */
  take(servers: Readonly<Record<string, McpServerConfig>>): SharedProcesses | undefined {
    const shared = this.shared;
    if (shared && servers !== this.servers) {
      void this.close();
      return undefined;
    }
    this.shared = undefined;
    return shared;
  }

  /** Ends the children unless a host took them. */
  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    await Promise.all((shared?.processes ?? []).map((process) => process.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
