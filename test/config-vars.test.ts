import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinServerEntry } from '../src/shared/package-info.js';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

describe('${VAR} expansion, over real processes', () => {
  it('a stdio server whose args and env come from variables starts; an unset one exits 2 naming it', async () => {
    const { home, cwd } = freshWorkspace();
    const config = {
      builtinServers: false,
      mcpServers: { mine: { command: process.execPath, args: [builtinServerEntry(), '${SERVER_NAME}'], env: { DECKHAND_DB: '${DB_FILE}' } } },
    };
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(config));
    const env = cliEnv(home, { SERVER_NAME: 'crm', DB_FILE: join(home, 'deckhand.db') });
    const ok = await runCli(['servers', '--json'], { env, cwd });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject([{ name: 'mine', state: 'ready', tools: expect.arrayContaining([expect.objectContaining({ name: 'getCustomerEmail' })]) }]);

    const unset = await runCli(['servers'], { env: cliEnv(home, { SERVER_NAME: 'crm' }), cwd });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/mcpServers\.mine\.env\.DECKHAND_DB: \$\{DB_FILE\} is not set/);
  });
});
