import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

const SECRET = 'tok-9f8e7d6c5b4a';

/** Every log file under the data dir, concatenated. */
function logs(home: string): string {
  const dir = join(home, 'logs');
  try {
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

// Invariant: a secret in an mcpServers url (a token query parameter) is never printed or logged; the rest of the url is.
describe('secrets in mcpServers urls', () => {
  it('servers, doctor and run print and log the url with the token redacted', async () => {
    const { home, cwd } = freshWorkspace();
    // Port 9 (discard) is closed on 127.0.0.1: the server fails to connect, and its url is shown in the failure.
    const url = `http://127.0.0.1:9/mcp?api_key=${SECRET}&access_token=${SECRET}&region=eu`;
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm'], mcpServers: { remote: { url } } }));
    const env = cliEnv(home, { DECKHAND_LOG_LEVEL: 'debug' });
    const outputs: string[] = [];
    for (const args of [['servers', '--json'], ['servers'], ['doctor', '--json'], ['run', 'Check customer C-1001', '--model', 'offline', '--json']]) {
      const result = await runCli(args, { env, cwd, timeoutMs: 25_000 });
      outputs.push(result.stdout, result.stderr);
    }
    const everything = `${outputs.join('\n')}\n${logs(home)}`;
    expect(everything).toContain('127.0.0.1:9/mcp');
    expect(everything).toMatch(/api_key=(\*\*\*|%2A%2A%2A)/);
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('region=eu');
  });
});
