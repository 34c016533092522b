import { createInterface } from 'node:readline/promises';
import { type ElicitationPrompt, type ElicitationSchema, elicitationFields } from '../app/elicitation.js';
import type { RunEvent, RunOutcome } from '../contracts/index.js';
import { promptForDecision, promptForElicitation } from './approval-prompt.js';
import { EXIT } from './exit-codes.js';
import { formatArgs } from './format.js';
import { onInterrupt } from './interrupt.js';
import { createRenderer } from './render.js';
import { decideApproval } from '../app/approvals.js';
import { executeRun, loadRun, type RunPlan } from '../app/runs.js';
import type { Runtime } from '../app/runtime.js';

type ApprovalRequest = Extract<RunEvent, { type: 'approval-request' }>;

export interface DriveOptions {
  readonly json: boolean;
  /** Only the final answer on stdout (`--quiet`). */
  readonly quiet?: boolean;
  /** Ask the person at the terminal when the run pauses, then go on; otherwise stop paused. */
  readonly interactive: boolean;
  /** Where the run's events come from when it executes elsewhere (`run --queue`); default: it executes here. */
  readonly events?: (signal: AbortSignal) => AsyncGenerator<RunEvent, RunOutcome>;
}

/**
 * Renders a run's events, and when it pauses for approval either asks at the terminal and resumes it in this
 * process, or prints how to approve and resume from anywhere. Ctrl-C cancels cleanly; a second one quits.
 */
export async function driveRun(runtime: Runtime, plan: RunPlan, options: DriveOptions): Promise<RunOutcome> {
  const controller = new AbortController();
  const render = createRenderer({
    json: options.json,
    quiet: options.quiet === true,
    out: process.stdout,
    err: process.stderr,
    // Read when the usage line is printed: reading the price now would load the price registry before the first request.
    get priced() {
      return runtime.price !== undefined;
    },
    offline: runtime.model.provider === 'offline',
  });
  using _interrupt = onInterrupt(() => {
    if (!options.json) process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('cancelled by the user'));
  }, EXIT.cancelled);
  // A server's question mid-call is asked at the terminal when there is one; it is always open to other processes.
  using _elicitation = options.interactive ? runtime.elicitation.usePrompt(askAtTerminal) : undefined;
  // On PostgreSQL an answer given on any process (a serve's API, another terminal) is announced: listen once asked.
  const { databaseUrl } = runtime.settings;
  await using _answers = databaseUrl
    ? runtime.elicitation.listenWhenAsked(async () => (await import('../queue/event-feed.js')).EventFeed.open({ databaseUrl, logger: runtime.logger }))
    : undefined;

  let run = options.events ? options.events(controller.signal) : executeRun(runtime, plan, controller.signal);
  for (;;) {
    const requests: ApprovalRequest[] = [];
    let runId = '';
    let outcome: RunOutcome;
    for (;;) {
      const next = await run.next();
      if (next.done) {
        outcome = next.value;
        break;
      }
      const event = next.value;
      runId = event.runId;
      render(event);
      if (event.type !== 'approval-request') continue;
      if (event.kind !== 'elicitation') requests.push(event);
      else if (!options.interactive && !options.json) printHowToAnswer(event);
    }
    if (outcome !== 'paused') return outcome;
    if (!options.interactive) {
      if (!options.json) printHowToResume(runId, requests);
      return outcome;
    }
    const lines = createInterface({ input: process.stdin, output: process.stdout });
    try {
      for (const request of requests) {
        const decision = await promptForDecision(lines, request, process.stdout);
        const result = await decideApproval(runtime.store, request.approvalId, decision);
        if (!result.ok) process.stderr.write(`${request.approvalId} was ${result.reason === 'expired' ? 'expired' : 'already resolved'}; going on with what was decided.\n`);
      }
    } finally {
      lines.close();
    }
    // The run continues with the settings it executes with, as stored when it started or resumed.
    const stored = await loadRun(runtime.store, runId);
    run = executeRun(runtime, { kind: 'resume', run: stored, settings: stored.settings }, controller.signal);
  }
}

/** Answers a server's elicitation at the terminal, on a readline of its own. */
const askAtTerminal: ElicitationPrompt = async (question, signal) => {
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await promptForElicitation(lines, question, process.stdout, signal);
  } finally {
    lines.close();
  }
};

/** A server waits on a question while nobody is at this terminal: say how to answer it from another. */
function printHowToAnswer(request: ApprovalRequest): void {
  const schema = request.args.requestedSchema as ElicitationSchema | undefined;
  const fields = schema ? elicitationFields(schema).map((field) => `"${field.name}": …`) : [];
  process.stderr.write(
    `  Answer from another terminal before ${request.expiresAt}: \`deckhand approvals approve ${request.approvalId} --args '{${fields.join(', ')}}'\`` +
      ` to accept, or \`deckhand approvals deny ${request.approvalId}\` to decline.\n`,
  );
}

function printHowToResume(runId: string, requests: readonly ApprovalRequest[]): void {
  const out = process.stderr;
  out.write(`\nRun ${runId} is paused, waiting for ${requests.length === 1 ? 'a decision' : `${requests.length} decisions`}:\n`);
  for (const request of requests) {
    const what = request.kind === 'question' ? `question: ${String(request.args.question ?? '')}` : `${request.server}.${request.tool} ${formatArgs(request.args)}`;
    out.write(`  ${request.approvalId}  ${what}  (${request.because})\n`);
  }
  const first = requests[0]?.approvalId ?? 'ID';
  out.write(
    `Decide with \`deckhand approvals approve ${first}\` (add --resume to continue right away) or \`deckhand approvals deny ${first} --note "why"\`` +
      `${requests.some((request) => request.kind === 'question') ? ` or \`deckhand approvals answer ${first} "…"\`` : ''}, then \`deckhand resume ${runId}\`.\n` +
      'See everything pending with `deckhand approvals list`.\n',
  );
}
