/**
 * @module A cache for the results of read-only tools on trusted servers. Key: server + tool + canonical arguments
 * (key order does not matter). An entry lives `ttlMs`; any call to a tool of the same server that is not read-only
 * (or whose hints are not believed) clears that server's entries first, since it may change what the reads return.
 * Error results are never cached.
 */
import type { ToolOutcome } from '../contracts/index.js';
import { canonicalJson } from '../shared/canonical-json.js';

/** Seconds a cached result stays fresh by default. */
export const DEFAULT_TOOL_CACHE_TTL_SECONDS = 60;
/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 1_000;

/** Options of {@link ToolCache}. */
export interface ToolCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly outcome: ToolOutcome;
  readonly expiresAt: number;
}

/** Cached results of read-only tool calls, per server. */
export class ToolCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: ToolCacheOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
  }

  /** The key of a call: server, tool and the arguments as canonical JSON. */
  static key(server: string, tool: string, args: Record<string, unknown>): string {
    return `${server}\u0000${tool}\u0000${canonicalJson(args)}`;
  }

  /** The fresh cached result of a call, if any. */
  get(server: string, tool: string, args: Record<string, unknown>): ToolOutcome | undefined {
    const key = ToolCache.key(server, tool, args);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  /** Stores a successful result. */
  set(server: string, tool: string, args: Record<string, unknown>, outcome: ToolOutcome): void {
    if (outcome.isError) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(ToolCache.key(server, tool, args), { outcome, expiresAt: this.now() + this.options.ttlMs });
  }

  /** Drops every entry of `server` (a tool there may have changed what its reads return). */
  invalidate(server: string): void {
    const prefix = `${server}\u0000`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
