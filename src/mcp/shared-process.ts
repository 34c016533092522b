/**
 * @module The host's side of a shared server process: one child serving several built-in servers, each on a
 * socket of its own (extra stdio pipes, fds 4, 5, …), each socket a standard MCP stdio connection. The child is
 * spawned when the first member connects, or before by `prestart` (see `prestart.ts`); when it dies, every member's
 * connection closes and restarts as a crashed stdio server would, and the first restart spawns the next child for
 * all of them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { SharedServerProcessSpec } from '../config/shared-process.js';
import { defaultEnvironment } from './default-environment.js';
import { findSetsid, GROUP_TERM_GRACE_MS, killProcessGroup, trackProcessGroup } from './process-group.js';

/** fd of the pipe that carries each member's environment to the child; the members' sockets follow it. */
const CONTROL_FD = 3;

/** A member of the shared process: its server name and what only it gets in its environment. */
export interface SharedProcessMember {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
}

/** One life of the child: its sockets by member, which of them a connection has taken, and whether it has exited. */
interface Life {
  readonly child: ChildProcess;
  readonly sockets: ReadonlyMap<string, Socket>;
  /** The pipe the members' environments and then the database's readiness go down; ending it before that tells the child to give up. */
  readonly control: Socket;
  readonly taken: Set<string>;
  readonly exited: Promise<void>;
  readonly grouped: boolean;
  done: boolean;
}

/** A line the child writes to stderr names its server this way (`deckhand crm server: …`); other lines concern every member. */
const SERVER_LINE = /^deckhand ([A-Za-z0-9_-]+) server:/;

/**
 * Spawns and restarts the shared process of `spec` for `members`, and hands each member the transport over its
 * socket. Its stderr goes, line by line, to the member a line names, or to every member.
 */
export class SharedServerProcess implements AsyncDisposable {
  private life: Life | undefined;
  private readonly stderrSinks = new Map<string, (chunk: string) => void>();
  private partialLine = '';

  /**
   * @param options.ready Resolves when the database the members serve is ready (migrated and seeded): until then
   * the child is not told so, and opens nothing (its servers can still connect and list tools). Default: ready at once.
   */
  constructor(
    private readonly spec: SharedServerProcessSpec,
    private readonly members: readonly SharedProcessMember[],
    private readonly options: { readonly ready?: Promise<void> } = {},
  ) {}

  /** The child's pid while one runs. */
  get pid(): number | undefined {
    return this.life && !this.life.done ? this.life.child.pid : undefined;
  }

  /**
   * Spawns the child now, when none runs, so that its start overlaps the host's own (see `PrestartedServers`);
   * the members' connections take its sockets later.
   */
  prestart(): void {
    if (!this.life || this.life.done) this.life = this.spawn();
  }

  /**
   * The socket of member `name` (for a `SocketClientTransport`) and the child's pid, on the running child when its
   * socket there is still unused, else on a new child (the old one, if alive, is ended: every other member's
   * connection then restarts onto the new one). No MCP SDK code is loaded here: see `prestart.ts`.
   */
  takeSocket(name: string, onStderr: (chunk: string) => void): { readonly socket: Socket; readonly pid: number | undefined } {
    if (!this.members.some((member) => member.name === name)) throw new Error(`'${name}' is not a member of this shared server process.`);
    this.stderrSinks.set(name, onStderr);
    let life = this.life;
    if (!life || life.done || life.taken.has(name)) {
      if (life && !life.done) void this.end(life);
      life = this.life = this.spawn();
    }
    life.taken.add(name);
    return { socket: life.sockets.get(name)!, pid: life.child.pid };
  }

  private spawn(): Life {
    const names = this.members.map((member) => member.name);
    const args = [...this.spec.args, ...names];
    const setsid = findSetsid();
    const child = spawn(setsid ?? this.spec.command, setsid ? [this.spec.command, ...args] : args, {
      env: { ...defaultEnvironment(), ...this.spec.env },
      // stdin: its end tells the child the host is gone; stdout is unused (each server has its socket).
      stdio: ['pipe', 'ignore', 'pipe', 'pipe', ...names.map(() => 'pipe' as const)],
      windowsHide: true,
    });
    const sockets = new Map(names.map((name, index) => [name, child.stdio[CONTROL_FD + 1 + index] as Socket]));
    const control = child.stdio[CONTROL_FD] as Socket;
    const life: Life = {
      child,
      sockets,
      control,
      taken: new Set(),
      grouped: setsid !== null,
      done: false,
      exited: new Promise((resolve) => child.once('close', () => resolve())),
    };
    if (life.grouped && child.pid) trackProcessGroup(child.pid);
    child.once('close', () => {
      life.done = true;
    });
    // A spawn failure closes every socket: each member's connect then fails with the process's stderr tail.
    child.once('error', (error) => {
      this.toEveryMember(`deckhand shared servers: ${error.message}\n`);
      for (const socket of sockets.values()) socket.destroy();
    });
    child.stdin!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.routeStderr(chunk));
    // Each member's environment, sealed in a pipe rather than the child's environment: a secret of one server
    // (SMTP_URL) never reaches the others' subprocesses, nor /proc/<pid>/environ. Written at once, so the servers
    // can answer the handshake and list their tools while the host still prepares the database; the line that says
    // it is ready follows (a child never told so opens nothing).
    control.on('error', () => {});
    control.write(`${JSON.stringify({ servers: this.members.map(({ name, env }) => ({ name, env })) })}\n`);
    const ready = `${JSON.stringify({ ready: true })}\n`;
    if (this.options.ready) void this.options.ready.then(() => life.done || control.destroyed || control.end(ready));
    else control.end(ready);
    for (const socket of sockets.values()) socket.on('error', () => {});
    return life;
  }

  private routeStderr(chunk: string): void {
    const text = this.partialLine + chunk;
    const lines = text.split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const named = SERVER_LINE.exec(line)?.[1];
      const sink = named === undefined ? undefined : this.stderrSinks.get(named);
      if (sink) sink(`${line}\n`);
      else this.toEveryMember(`${line}\n`);
    }
  }

  private toEveryMember(text: string): void {
    for (const sink of this.stderrSinks.values()) sink(text);
  }

  /** Ends one life: its stdin closes (the child exits on its own), then SIGTERM and SIGKILL to what is left. */
  private async end(life: Life): Promise<void> {
    for (const socket of life.sockets.values()) socket.destroy();
    life.control.destroy();
    life.child.stdin?.end();
    if (!life.done) {
      await Promise.race([life.exited, new Promise((resolve) => setTimeout(resolve, GROUP_TERM_GRACE_MS).unref())]);
    }
    if (life.grouped && life.child.pid) await killProcessGroup(life.child.pid);
    else if (!life.done) life.child.kill('SIGKILL');
    await life.exited;
  }

  /** Ends the child, if one runs. */
  async close(): Promise<void> {
    const life = this.life;
    this.life = undefined;
    if (life) await this.end(life);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
