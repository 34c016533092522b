/**
 * @module Everything the bench creates that must not outlive it: temp dirs, child processes, and MCP
 * clients and hosts (which own their server processes). Children are ended by their own pid, never by
 * name; temp dirs are removed recursively. `dispose()` is safe to
 * call twice (once from `finally`, once from a signal handler).
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class BenchResources implements AsyncDisposable {
  private readonly dirs = new Set<string>();
  private readonly children = new Set<ChildProcess>();
  private readonly closers = new Set<() => Promise<void>>();

  /**
   * Takes charge of closing something the bench did not spawn itself (an MCP client or host, whose
   * transport owns the child process). Returns a close function that runs it once and forgets it.
   */
  adopt(close: () => Promise<void>): () => Promise<void> {
    let closed: Promise<void> | undefined;
    const once = () => {
      closed ??= close().finally(() => this.closers.delete(once));
      return closed;
    };
    this.closers.add(once);
    return once;
  }

  /** A fresh temp dir under the OS temp folder, removed on dispose. */
  tempDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `deckhand-bench-${label}-`));
    this.dirs.add(dir);
    return dir;
  }

  /** Removes one temp dir now (between cold-start runs, so they do not pile up). */
  removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    this.dirs.delete(dir);
  }

  /** Spawns a child that is tracked until it exits, so dispose can end it if the bench stops early. */
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, options);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Ends one tracked child by its pid (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  async end(child: ChildProcess, graceMs = 2_000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Closes what was adopted, ends every child still running and removes every temp dir. */
  async dispose(): Promise<void> {
    await Promise.all([...this.closers].map((close) => close().catch(() => {})));
    await Promise.all([...this.children].map((child) => this.end(child)));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
