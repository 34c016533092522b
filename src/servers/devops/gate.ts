/**
 * @module The gate of a deploy: who lets it run. An environment with `requireApproval` asks a person through MCP
 * elicitation (the host turns that into a durable approval anyone can answer), unless the call says `auto_approve`
 * and the environment allows it; others go ahead on a DEPLOY verdict.
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { errorMessage } from '../../shared/errors.js';
import type { DevopsEnvironment } from './config.js';

/** A person may take this long to answer; how long the host waits is its own setting. */
const APPROVAL_TIMEOUT_MS = 24 * 3_600_000;

export type GateResult =
  | { readonly open: true; readonly approver: string }
  | { readonly open: false; readonly status: 'declined' | 'blocked'; readonly why: string };

export interface GateOptions {
  readonly server: McpServer;
  readonly context: ServerContext;
  readonly environmentName: string;
  readonly environment: DevopsEnvironment;
  readonly autoApprove: boolean;
  /** What the person is asked about, one paragraph. */
  readonly summary: string;
  /** Sent while a person is being asked (resets the caller's timeout). */
  readonly onWaiting?: () => void;
}

/** Decides whether a deploy with a DEPLOY verdict may run, asking a person when the environment requires one. */
export async function passGate(options: GateOptions): Promise<GateResult> {
  const { environment, environmentName } = options;
  if (!environment.requireApproval) return { open: true, approver: `not required (${environmentName} deploys on a DEPLOY verdict)` };
  if (options.autoApprove && environment.allowAutoApprove) return { open: true, approver: `auto_approve (devops.environments.${environmentName}.allowAutoApprove)` };
  const autoNote = options.autoApprove ? ` auto_approve was asked for, but devops.environments.${environmentName}.allowAutoApprove is not true.` : '';
  if (!options.server.server.getClientCapabilities()?.elicitation) {
    return {
      open: false,
      status: 'blocked',
      why: `${environmentName} needs a person's approval, and this client cannot ask one (it does not offer MCP elicitation).${autoNote} Deploy from a host that does, such as deckhand.`,
    };
  }
  options.onWaiting?.();
  let answer;
  try {
    answer = await options.context.mcpReq.elicitInput(
      {
        mode: 'form',
        message: `Approve this deploy to ${environmentName}?${autoNote}\n\n${options.summary}`,
        requestedSchema: {
          type: 'object',
          properties: {
            approve: { type: 'boolean', title: `Deploy to ${environmentName}`, description: 'true to deploy, false to stop', default: false },
            approver: { type: 'string', title: 'Your name', description: 'Recorded with the deployment as who approved it', maxLength: 100 },
          },
          required: ['approve'],
        },
      },
      { timeout: APPROVAL_TIMEOUT_MS },
    );
  } catch (error) {
    return { open: false, status: 'blocked', why: `asking for approval failed: ${errorMessage(error)}. Nothing was deployed.` };
  }
  if (answer.action !== 'accept') {
    return { open: false, status: 'declined', why: `the approval was ${answer.action === 'decline' ? 'declined' : 'cancelled or timed out'}; nothing was deployed.` };
  }
  if (answer.content?.approve !== true) return { open: false, status: 'declined', why: 'the person did not approve (approve was not true); nothing was deployed.' };
  const name = typeof answer.content.approver === 'string' && answer.content.approver.trim() !== '' ? answer.content.approver.trim() : undefined;
  return { open: true, approver: name ? `${name} (elicitation)` : 'a person, through elicitation' };
}
