/**
 * @module The job a queued run is: what a worker needs to start or resume it, validated with zod when it is
 * taken (a job is stored JSON, written by any process and version, so it is parsed, never cast).
 */
import { z } from 'zod';

/** The options a run executes with (`RunSettings` of the durable run), as a job carries them. */
export const RunJobSettingsSchema = z.object({
  model: z.string().min(1),
  yes: z.boolean(),
  maxSteps: z.number().int().positive().optional(),
  budgetUsd: z.number().positive().optional(),
  budgetTokens: z.number().int().positive().optional(),
  fallbackModels: z.array(z.string().min(1)).readonly().optional(),
});

/** Options that override a stored run's own when it is resumed. */
export const RunJobOverridesSchema = z.object({
  yes: z.boolean().optional(),
  maxSteps: z.number().int().positive().optional(),
  budgetUsd: z.number().positive().optional(),
});

/**
 * A queued run: `start` a new run (its id and session are chosen by whoever enqueues it, so they can follow it
 * at once), or `resume` a stored one from its persisted state.
 */
export const RunJobSchema = z.discriminatedUnion('kind', [
  z.object({
    schemaVersion: z.literal(1),
    kind: z.literal('start'),
    runId: z.uuid(),
    sessionId: z.string().min(1).max(200),
    task: z.string().min(1),
    settings: RunJobSettingsSchema,
  }),
  z.object({
    schemaVersion: z.literal(1),
    kind: z.literal('resume'),
    runId: z.string().min(1).max(200),
    overrides: RunJobOverridesSchema.optional(),
  }),
]);

export type RunJob = z.infer<typeof RunJobSchema>;

/** Parses a job's stored data: the job, or why it is not one (a job from an incompatible version, a bad write). */
export function safeParseRunJob(data: unknown): { success: true; job: RunJob } | { success: false; error: string } {
  const parsed = RunJobSchema.safeParse(data);
  if (parsed.success) return { success: true, job: parsed.data };
  return { success: false, error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'job'}: ${issue.message}`).join('; ') };
}
