export type { RunEvent, RunEventType, RunOutcome, RunTotals } from './events.js';
export { DEFAULT_MAX_STEPS, type RunAgentOptions, runAgent } from './run-agent.js';
export { SYSTEM_PROMPT } from './system-prompt.js';
export { summarizeOutput } from './summarize.js';
export type { ToolAddress, ToolExecutor, ToolOutcome } from './tool-executor.js';
