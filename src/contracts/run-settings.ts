/**
 * @module The options a run executes with, stored with the run so a resume keeps them.
 */
import { z } from 'zod';

/** The options a run starts with; stored with the run (`runs.options`) so a resume keeps them unless given again. */
export const RunSettingsSchema = z.object({
  /** `provider:model` of the run's model. */
  model: z.string().min(1),
  /** Approve every action that would ask (`--yes`). */
  yes: z.boolean(),
  maxSteps: z.number().int().positive().optional(),
  budgetUsd: z.number().nonnegative().optional(),
  budgetTokens: z.number().int().positive().optional(),
  /** The fallback chain after `model`, when there is one. */
  fallbackModels: z.array(z.string().min(1)).readonly().optional(),
});
export type RunSettings = z.infer<typeof RunSettingsSchema>;
