/**
 * The `deckhand` command line. Parses flags, dispatches to a command, and maps every error to one line on
 * stderr and an exit code: 0 finished, 1 failed, 2 bad usage or config, 3 paused, 4 run executing elsewhere, 130 interrupted.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AppError, errorMessage } from '../shared/errors.js';
import { VERSION } from '../shared/package-info.js';
import { MAX_MESSAGE_BYTES } from '../servers/message-size-limit.js';
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from '../servers/http-session-limits.js';
import { endQuietlyOnClosedOutput } from './closed-output.js';
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from './completion.js';
import { EXIT } from './exit-codes.js';

function positiveInteger(max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`);
    return parsed;
  };
}

function positiveAmount(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected an amount in US dollars above 0, like 0.50.');
  return parsed;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const modelOption = () =>
  new Option(
    '--model <provider:model>',
    'model to use: openai:gpt-4.1-mini, openai-chat:<model>, anthropic:claude-sonnet-4-5, google:gemini-2.5-flash, vertex:<model>, azure:<deployment>, bedrock:<model>, ollama:qwen2.5, compat:<model>, or offline; give it again for a fallback model used on a provider outage',
  ).argParser(collect);
const maxStepsOption = () => new Option('--max-steps <n>', 'most model calls in one run (default 20)').argParser(positiveInteger(200));
const budgetOption = () =>
  new Option('--budget-usd <amount>', 'most this run may spend; a model call that could cross it is not sent').argParser(positiveAmount);
const budgetTokensOption = () =>
  new Option('--budget-tokens <n>', 'most tokens (input + output) this run may use; checked before every model call').argParser(
    positiveInteger(1_000_000_000),
  );

let exitCode: number = EXIT.ok;
const setExit = (code: number) => {
  exitCode = code;
};

const program = new Command('deckhand')
  .description('An MCP-native operations agent: give it a task in plain language; it works it out with tools on MCP servers.')
  .version(VERSION, '-v, --version')
  .option('--config <file>', 'read (and, for mcp add|remove, edit) this config file instead of ./deckhand.json or $DECKHAND_HOME/config.json')
  .hook('preAction', (command) => {
    // Set once at the edge: loadSettings reads it with the rest of the environment.
    const file = command.opts<{ config?: string }>().config;
    if (file !== undefined) process.env.DECKHAND_CONFIG = file;
  })
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`deckhand: ${text.replace(/^error: /, '')}`) })
  .addHelpText(
    'after',
    `
Examples:
  deckhand run "Order XYZ-789 has shipped. Email the customer a shipping confirmation." --yes
  deckhand approvals list && deckhand approvals approve AP-1a2b3c4d --resume
  deckhand chat --session support-42
  echo "Who placed order XYZ-789?" | deckhand run - --quiet
  source <(deckhand completion bash)

Environment (a .env in the working directory is read too):
  DECKHAND_HOME       data dir (default ~/.deckhand): deckhand.db, logs, config.json
  DECKHAND_CONFIG     config file to use (as --config FILE)
  DECKHAND_MODEL      model id, e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-5, offline
  OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OLLAMA_BASE_URL
  DATABASE_URL        postgres://… to store everything in PostgreSQL instead of SQLite
  SMTP_URL, SMTP_FROM deliver emails over SMTP
Config: deckhand.json in the working directory, else $DECKHAND_HOME/config.json (see README.md).`,
  );

program
  .command('run')
  .description('run one task autonomously and print every tool call, the answer and the usage')
  .argument('<task>', 'the task, in plain language (quote it), or - to read it from stdin')
  .addOption(modelOption())
  .option('--yes', 'approve actions that would ask for confirmation, for this run')
  .option('--json', 'print one JSON object per event line instead of text')
  .option('-q, --quiet', 'print only the final answer (for scripts); why a run did not finish goes to stderr')
  .option('--session <id>', 'record the run in this session (default: a new one)')
  .addOption(maxStepsOption())
  .addOption(budgetOption())
  .addOption(budgetTokensOption())
  .option('--queue', 'with DATABASE_URL on PostgreSQL: put the run in the queue for any serve or worker process, and follow it here until it ends')
  .addHelpText(
    'after',
    '\nExit codes: 0 finished, 1 failed, 2 bad usage or config, 3 paused waiting for approval, 4 the run is being executed by another process, 130 interrupted.\n' +
      'Examples:\n  deckhand run "Order XYZ-789 has shipped. Email the customer a shipping confirmation."\n' +
      '  echo "Who placed order XYZ-789?" | deckhand run - --quiet',
  )
  .action(async (task: string, options) => setExit(await (await import('./commands/run.js')).runCommand(task, options)));

program
  .command('chat')
  .description('talk with the agent over several turns; it keeps the context of the conversation')
  .addOption(modelOption())
  .option('--session <id>', 'continue this session (its stored transcript), or start it (default: a new one)')
  .option('--yes', 'approve actions that would ask for confirmation, for this chat')
  .addOption(maxStepsOption())
  .addOption(budgetOption())
  .addOption(budgetTokensOption())
  .action(async (options) => setExit(await (await import('./commands/chat.js')).chatCommand(options)));

program
  .command('resume')
  .description('continue a paused or interrupted run from its stored state (after an approval, an answer, or a raised budget)')
  .argument('<runId>', 'the run to continue')
  .addOption(modelOption())
  .option('--yes', 'approve actions that would ask for confirmation, from here on')
  .option('--json', 'print one JSON object per event line instead of text')
  .addOption(maxStepsOption())
  .addOption(budgetOption())
  .addOption(budgetTokensOption())
  .action(async (runId: string, options) => setExit(await (await import('./commands/resume.js')).resumeCommand(runId, options)));

const approvals = program.command('approvals').description('list and decide the tool calls waiting for a person');
approvals
  .command('list', { isDefault: true })
  .description('pending approvals and questions (id, run, server.tool, arguments, why it asks)')
  .option('--all', 'include resolved and expired ones')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/approvals.js')).approvalsListCommand(options)));
approvals
  .command('approve')
  .description('approve a pending call; it runs once when the run resumes')
  .argument('<id>', 'approval id (AP-…)')
  .option('--note <text>', 'a note for the record')
  .option('--session', 'approve this tool for the rest of the session')
  .option('--args <json>', 'approve with edited arguments (a JSON object)')
  .option('--resume', 'resume the run right away')
  .option('--json', 'print the approval as JSON')
  .action(async (id: string, options) => setExit(await (await import('./commands/approvals.js')).approvalsResolveCommand('approve', id, options)));
approvals
  .command('deny')
  .description('deny a pending call; the agent is told and continues without it')
  .argument('<id>', 'approval id (AP-…)')
  .option('--note <text>', 'why (the agent reads it)')
  .option('--resume', 'resume the run right away')
  .option('--json', 'print the approval as JSON')
  .action(async (id: string, options) => setExit(await (await import('./commands/approvals.js')).approvalsResolveCommand('deny', id, options)));
approvals
  .command('answer')
  .description("answer the agent's clarifying question")
  .argument('<id>', 'question id (AP-…)')
  .argument('<answer>', 'your answer')
  .option('--resume', 'resume the run right away')
  .option('--json', 'print the question as JSON')
  .action(async (id: string, answer: string, options) => setExit(await (await import('./commands/approvals.js')).approvalsResolveCommand('answer', id, { ...options, answer })));

program
  .command('sessions')
  .description('recent sessions and their runs')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/sessions.js')).sessionsCommand(options)));

program
  .command('usage')
  .description('tokens and cost of every recorded model call (sampling included), by model, session or day')
  .option('--since <when>', 'only calls in this span back (30m, 24h, 7d, 2w) or since this date (2026-11-01)')
  .addOption(new Option('--by <grouping>', 'group by model, session or day (UTC)').choices(['model', 'session', 'day']).default('model'))
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/usage.js')).usageCommand(options)));

const audit = program.command('audit').description('the append-only, hash-chained record of every approval decision');
audit
  .command('verify')
  .description('check the hash chain; exit 1 when an entry was changed, removed or reordered')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/audit.js')).auditVerifyCommand(options)));
audit
  .command('list')
  .description('the log, oldest first')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/audit.js')).auditListCommand(options)));

program
  .command('servers')
  .description('start the configured MCP servers and list them with their status and tools')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/servers.js')).serversCommand(options)));

function portNumber(value: string): number {
  const parsed = Number(value);
  if (!/^\d{1,5}$/.test(value) || parsed > 65_535) throw new InvalidArgumentError('expected a port from 0 to 65535 (0 picks a free one).');
  return parsed;
}

const mcp = program
  .command('mcp')
  .description('run a built-in MCP server (crm, orders, notes, email, issues, devops) over stdio or Streamable HTTP; mcp add|list|remove edit the config')
  .argument('<server>', 'built-in server name')
  .option('--http', 'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio')
  .addOption(new Option('--port <n>', 'HTTP port; 0 picks a free one (default 8790)').argParser(portNumber))
  .option('--host <host>', 'HTTP interface to bind (default 127.0.0.1; others are reachable from the network)')
  .addOption(
    new Option('--max-sessions <n>', `HTTP sessions kept at once; one more closes the least recently used (default ${DEFAULT_MAX_SESSIONS})`).argParser(
      positiveInteger(100_000),
    ),
  )
  .addOption(
    new Option('--session-idle-seconds <n>', `close an HTTP session idle this long (default ${DEFAULT_SESSION_IDLE_MS / 1_000})`).argParser(
      positiveInteger(86_400),
    ),
  )
  .addHelpText(
    'after',
    `\nLimits: a message over ${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB gets a JSON-RPC error (-32600 over stdio, 413 over HTTP) and the server keeps serving;` +
      `\nover HTTP, at most ${DEFAULT_MAX_SESSIONS} sessions (least recently used closed first), each closed after ${DEFAULT_SESSION_IDLE_MS / 60_000} minutes idle.`,
  )
  .action(async (server: string, options) => setExit(await (await import('./commands/mcp.js')).mcpCommand(server, options)));

mcp
  .command('add')
  .description('add a server to the config file: a stdio command with its args, or an http(s) URL (like `claude mcp add`)')
  .argument('<name>', 'the server name (letters, digits, _ and -)')
  .argument('<commandOrUrl>', 'the command to spawn, or the URL of a remote server')
  .argument('[args...]', 'arguments for the command (put -- before them when they start with -)')
  .option('-e, --env <KEY=VALUE>', 'an environment variable for a stdio server (repeatable; ${VAR} is expanded at load)', collect)
  .option('-H, --header <"Name: value">', 'an HTTP header for a remote server (repeatable; ${VAR} is expanded at load)', collect)
  .addOption(new Option('--transport <kind>', 'stdio, http (Streamable HTTP) or sse (legacy); default from the target').choices(['stdio', 'http', 'sse']))
  .option('--replace', 'replace a server of the same name')
  .action(async (name: string, target: string, args: string[], options) => setExit((await import('./commands/mcp-config.js')).mcpAddCommand(name, target, args, options)));
mcp
  .command('list')
  .description('list the servers in the config file, as written')
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit((await import('./commands/mcp-config.js')).mcpListCommand(options)));
mcp
  .command('login')
  .description('authorize Deckhand for a remote server that requires OAuth (opens the browser, or prints the URL)')
  .argument('<name>', 'a remote server of the config')
  .option('--no-browser', 'only print the authorization URL')
  .action(async (name: string, options) => setExit(await (await import('./commands/mcp-login.js')).mcpLoginCommand(name, options)));
mcp
  .command('logout')
  .description("forget a remote server's stored OAuth tokens")
  .argument('<name>', 'the server name')
  .action(async (name: string) => setExit(await (await import('./commands/mcp-login.js')).mcpLogoutCommand(name)));
mcp
  .command('remove')
  .description('remove a server from the config file')
  .argument('<name>', 'the server name')
  .action(async (name: string) => setExit((await import('./commands/mcp-config.js')).mcpRemoveCommand(name)));

program
  .command('serve')
  .description('serve the web UI, the HTTP API and the WebSockets (sessions, runs, approvals) until Ctrl-C')
  .option('--host <host>', 'interface to bind (default 127.0.0.1; others are reachable from the network)')
  .addOption(new Option('--port <n>', 'HTTP port; 0 picks a free one (default 8787)').argParser(portNumber))
  .addOption(modelOption())
  .option('--yes', 'approve actions that would ask for confirmation, for runs that do not say otherwise')
  .option('--token <token>', 'the access token the API and UI require (default: DECKHAND_TOKEN, else one stored in $DECKHAND_HOME/api-token)')
  .addOption(
    new Option('--concurrency <n>', 'with DATABASE_URL on PostgreSQL: queued runs this process executes at once (default 4; 0: none, an API-only process)').argParser(
      (value: string) => (value === '0' ? 0 : positiveInteger(64)(value)),
    ),
  )
  .action(async (options) => setExit(await (await import('./commands/serve.js')).serveCommand(options)));

program
  .command('worker')
  .description('with DATABASE_URL on PostgreSQL: execute queued runs (started by any serve or `run --queue`) until SIGTERM')
  .addOption(modelOption())
  .addOption(new Option('--concurrency <n>', 'runs executed at once (default 4)').argParser(positiveInteger(64)))
  .addHelpText(
    'after',
    '\nEvery process (serve or worker) needs the same DATABASE_URL, config and model keys. On SIGTERM a worker takes no new run,\n' +
      'lets its runs go on for DECKHAND_SHUTDOWN_GRACE_MS (default 10000), then cancels the rest and queues them again;\n' +
      'a worker killed outright has its runs taken over once their lease expires (DECKHAND_RUN_LEASE_TTL_MS, default 30000).\n' +
      'Examples:\n  DATABASE_URL=postgres://deckhand@db:5432/deckhand deckhand worker --concurrency 8',
  )
  .action(async (options) => setExit(await (await import('./commands/worker.js')).workerCommand(options)));

program
  .command('seed')
  .description('insert the demo data (customers, orders, inventory, notes, emails, issues) when it is missing')
  .option('--reset', 'delete the demo tables and rebuild them from scratch (runs and sessions are kept)')
  .action(async (options) => setExit(await (await import('./commands/seed.js')).seedCommand(options)));

program
  .command('completion')
  .description('print a shell completion script: source <(deckhand completion bash), or zsh; deckhand completion fish | source')
  .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
  .action((shell: CompletionShell) => {
    process.stdout.write(completionScript(program, shell));
  });

program
  .command('doctor')
  .description('check Node, the data dir, the store, every server and the model')
  .addOption(modelOption())
  .option('--json', 'print one JSON document')
  .action(async (options) => setExit(await (await import('./commands/doctor.js')).doctorCommand(options)));

endQuietlyOnClosedOutput();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse error is bad usage.
    exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof AppError) {
    process.stderr.write(`deckhand: ${error.message}\n`);
    exitCode = error.exitCode;
  } else {
    process.stderr.write(`deckhand: ${errorMessage(error)}\n`);
    exitCode = EXIT.failed;
  }
}
process.exitCode = exitCode;
// Child processes and sockets are closed by the commands; exit promptly rather than wait on stray timers.
setImmediate(() => process.exit(exitCode));
