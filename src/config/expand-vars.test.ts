import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.js';
import { loadSettings } from './load.js';

function workspace(config: unknown, dotEnv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-vars-'));
  writeFileSync(join(dir, 'deckhand.json'), JSON.stringify(config));
  if (dotEnv !== undefined) writeFileSync(join(dir, '.env'), dotEnv);
  return dir;
}

describe('${VAR} in mcpServers', () => {
  it('expands url, headers, env and args from the environment and .env; ${VAR:-default} falls back', () => {
    const cwd = workspace(
      {
        builtinServers: false,
        mcpServers: {
          remote: { url: 'https://${API_HOST}/mcp', headers: { Authorization: 'Bearer ${API_TOKEN}', 'X-Team': '${TEAM:-ops}' } },
          local: { command: 'node', args: ['server.js', '--region', '${REGION}'], env: { KEY: '${API_TOKEN}', LITERAL: 'no $vars here' } },
        },
      },
      'REGION=eu-west-1\n',
    );
    const settings = loadSettings({ cwd, env: { DECKHAND_HOME: join(cwd, 'home'), API_HOST: 'mcp.example.com', API_TOKEN: 's3cret' } });
    expect(settings.servers.remote).toMatchObject({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer s3cret', 'X-Team': 'ops' },
    });
    expect(settings.servers.local).toMatchObject({ args: ['server.js', '--region', 'eu-west-1'], env: { KEY: 's3cret', LITERAL: 'no $vars here' } });
  });

  it('an unset variable is a config error naming the file, the key and the variable', () => {
    const cwd = workspace({ mcpServers: { remote: { url: 'https://example.com/mcp', headers: { Authorization: 'Bearer ${API_TOKEN}' } } } });
    const load = () => loadSettings({ cwd, env: { DECKHAND_HOME: join(cwd, 'home') } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/deckhand\.json: mcpServers\.remote\.headers\.Authorization: \$\{API_TOKEN\} is not set: export API_TOKEN=/);
  });
});
