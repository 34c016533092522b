import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, postgresReachable } from '../../test/helpers/postgres.js';
import type { RunJob } from './run-job.js';
import { RunQueue } from './run-queue.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('RunQueue (pg-boss on PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const job = (): RunJob => ({ schemaVersion: 1, kind: 'resume', runId: randomUUID() });

  // Invariant: with several processes taking jobs, each job is handed to exactly one of them.
  it('hands each of 30 jobs to exactly one of three queues taking them', { timeout: 60_000 }, async () => {
    const queues = await Promise.all([0, 1, 2].map((index) => RunQueue.open({ databaseUrl: database.url, role: `test-${index}` })));
    try {
      const handled: string[] = [];
      const jobs = Array.from({ length: 30 }, job);
      const { promise: allDone, resolve } = Promise.withResolvers<void>();
      for (const queue of queues) {
        await queue.work({
          concurrency: 2,
          handler: async (taken) => {
            handled.push(taken.runId);
            if (handled.length === jobs.length) resolve();
          },
        });
      }
      for (const next of jobs) await queues[0]!.enqueue(next);
      await allDone;
      expect([...handled].sort()).toEqual(jobs.map((next) => next.runId).sort());
      for (let attempt = 0; attempt < 100 && (await queues[0]!.counts()).running > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await queues[0]!.counts()).toEqual({ waiting: 0, running: 0, failed: 0 });
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });

  // Invariant: a job that is not a run job (another version, a hand-made row) is failed, never handed to the handler.
  it('fails a job whose data does not parse, without calling the handler', { timeout: 30_000 }, async () => {
    const queue = await RunQueue.open({ databaseUrl: database.url, role: 'test' });
    try {
      const handled: RunJob[] = [];
      await queue.work({ concurrency: 1, handler: async (taken) => void handled.push(taken) });
      // Written as any process could: straight through pg-boss, with data that is no run job.
      await (queue as unknown as { boss: { send: (name: string, data: object, options: object) => Promise<string> } }).boss.send('deckhand-runs', { kind: 'launch' }, { retryLimit: 0 });
      for (let attempt = 0; attempt < 200 && (await queue.counts()).failed === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await queue.counts()).toMatchObject({ failed: 1, running: 0 });
      expect(handled).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  // Invariant: a worker that finishes a job takes the next waiting one at once; only an empty fetch waits for a
  // NOTIFY or the poll. The poll here is ten minutes away, so a worker that slept between jobs never drains this
  // backlog within the test's bound (before: 2 s between jobs of a backlog, 0.7 runs/s with one worker).
  it('one worker drains a backlog job after job, without waiting for its poll', { timeout: 60_000 }, async () => {
    const queue = await RunQueue.open({ databaseUrl: database.url, role: 'test', pollIntervalSeconds: 600 });
    try {
      const jobs = Array.from({ length: 5 }, job);
      for (const next of jobs) await queue.enqueue(next);
      const handled: string[] = [];
      const { promise: allDone, resolve } = Promise.withResolvers<void>();
      await queue.work({
        concurrency: 1,
        handler: async (taken) => {
          handled.push(taken.runId);
          if (handled.length === jobs.length) resolve();
        },
      });
      const bound = new Promise<'bound'>((done) => setTimeout(() => done('bound'), 30_000).unref());
      expect(await Promise.race([allDone.then(() => 'drained' as const), bound])).toBe('drained');
      expect(handled).toEqual(jobs.map((next) => next.runId));
    } finally {
      await queue.close();
    }
  });
});
