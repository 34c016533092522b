/**
 * @module Process groups for the stdio servers the host spawns. Each server starts as the leader of a group of
 * its own (through `setsid`, where the system has it), so everything it starts joins that group; closing the
 * transport, and the host process exiting, kill the whole group. Without this, a server's helpers (or a
 * server that never finished its handshake and ignores SIGTERM) outlive Deckhand with parent 1. No MCP SDK code here:
 * the shared server process is spawned with these before the SDK is loaded (see `prestart.ts`).
 */
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** How long the group gets to exit after SIGTERM before it is sent SIGKILL. */
export const GROUP_TERM_GRACE_MS = 1_000;

let setsidPath: string | null | undefined;

/** Whether `command` names an existing file, as a path or on `path` (a PATH value). */
export function commandExists(command: string, path: string, cwd: string): boolean {
  if (command.includes('/')) return existsSync(resolve(cwd, command));
  return path.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** `setsid` on PATH (util-linux; Linux), found once; null elsewhere (then only the server's own process is killed). */
export function findSetsid(): string | null {
  if (setsidPath !== undefined) return setsidPath;
  setsidPath = null;
  if (process.platform === 'win32') return setsidPath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'setsid'))) {
      setsidPath = join(dir, 'setsid');
      break;
    }
  }
  return setsidPath;
}

/** The groups alive now, by leader pid: killed with SIGKILL when this process exits, whatever the exit path. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Kills the group led by `pid` (a process started through {@link findSetsid}) if this process exits first. */
export function trackProcessGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: signal every group that is still around, and let the kernel do the rest.
  process.on('exit', () => {
    for (const leader of liveGroups) signalGroup(leader, 'SIGKILL');
  });
}

/** Sends `signal` to the group led by `leader`; false when no process of it is left. */
function signalGroup(leader: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-leader, signal);
    return true;
  } catch {
    return false;
  }
}

/** Ends the group led by `leader`: SIGTERM, then SIGKILL to whatever is left after {@link GROUP_TERM_GRACE_MS}. */
export async function killProcessGroup(leader: number): Promise<void> {
  if (signalGroup(leader, 'SIGTERM')) {
    for (let waited = 0; waited < GROUP_TERM_GRACE_MS && signalGroup(leader, 0); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    signalGroup(leader, 'SIGKILL');
  }
  liveGroups.delete(leader);
}
