export { classifyToolCall, type PolicyDecision, type PolicyInput, type PolicyVerdict, type Risk } from './approval-policy.js';
export { type RunContext, resumeRun, startRun } from './durable-run.js';
export { CompositeToolExecutor, OwnTools } from './own-tools.js';
export { ASK_USER_SERVER, ASK_USER_TOOL, PolicyGate, type PolicyGateOptions } from './policy-gate.js';
export { type Checkpoint, DEFAULT_MAX_STEPS, type RunAgentOptions, runAgent } from './run-agent.js';
export { SYSTEM_PROMPT } from './system-prompt.js';
export { summarizeOutput } from './summarize.js';
export { ALLOW_ALL, type GateRequest, type GateResult, type Resolution, type ToolGate } from './tool-gate.js';
