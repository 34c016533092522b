import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

/** No stack trace reaches a person for a configuration mistake. */
const expectNoStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

async function runWithConfig(config: unknown, args: readonly string[] = ['run', 'Check order XYZ-789', '--model', 'offline', '--json']) {
  const { home, cwd } = freshWorkspace();
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(config));
  return runCli(args, { env: cliEnv(home), cwd, timeoutMs: 20_000 });
}

// Invariant: a config that validates never crashes later; what cannot work is refused at load, with exit 2.
describe('deckhand.json: refused at load, not mid-run', () => {
  it('a rule whose "matches" is not a regular expression exits 2 naming the rule', async () => {
    const result = await runWithConfig({
      approval: { rules: [{ tool: 'orders.*', args: { order_id: { matches: '([' } }, decision: 'ask' }] },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('approval.rules.0.args.order_id.matches');
    expect(result.stderr).toMatch(/rule for "orders\.\*".*regular expression/);
    expect(result.stdout).toBe('');
    expectNoStack(result.stderr);
  });

  it('an unknown built-in server name exits 2 naming the known ones', async () => {
    const result = await runWithConfig({ builtinServers: ['crm', 'nope'] });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/builtinServers\.1: .*"nope".*crm, orders, notes, email, issues/);
    expectNoStack(result.stderr);
  });

  it('an mcpServers url with a user and password exits 2 and says to use headers, without echoing the password', async () => {
    const result = await runWithConfig({ mcpServers: { remote: { url: 'http://alice:s3cret-pass@127.0.0.1:9/mcp' } } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('mcpServers.remote.url');
    expect(result.stderr).toMatch(/headers/);
    expect(result.stderr).not.toContain('s3cret-pass');
    expectNoStack(result.stderr);
  });
});

describe('environment: refused at load', () => {
  it('DECKHAND_HOME="" is an error, not a silent ~/.deckhand', async () => {
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home, { DECKHAND_HOME: '' });
    const result = await runCli(['audit', 'verify'], { env, cwd });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/DECKHAND_HOME.*empty/);
    expectNoStack(result.stderr);
  });
});
