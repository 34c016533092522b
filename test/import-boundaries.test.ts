/**
 * The layer rule (eslint/import-layers.js, configured in eslint.config.js) fails on a forbidden import, so
 * `npm test` catches a layer crossing as `npm run lint` does. Each fixture is linted as if it sat at a path in
 * src/ (ESLint's lintText with a virtual filePath), with the project's own config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test/fixtures/import-boundaries');

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The layer-rule messages for a fixture linted as `path`. */
async function layerErrors(fixture: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(readFileSync(join(fixtures, fixture), 'utf8'), { filePath: join(root, path) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'layers/import-layers').map((message) => message.message);
}

describe('layers/import-layers', () => {
  it('fails a front end that imports store/, naming the file, the import and what cli/ may import', async () => {
    expect(await layerErrors('cli-imports-store.ts', 'src/cli/commands/fixture.ts')).toEqual([
      'cli/ may not import store/ (src/cli/commands/fixture.ts imports ../../store/database.js). cli/ may import: contracts, shared, config, app, http, servers, queue. See docs/architecture.md.',
    ]);
  });

  it('fails a server that imports the host (agent/)', async () => {
    expect(await layerErrors('server-imports-agent.ts', 'src/servers/crm/fixture.ts')).toEqual([
      expect.stringContaining('servers/ may not import agent/'),
    ]);
  });

  it('fails store/ importing agent/', async () => {
    expect(await layerErrors('store-imports-agent.ts', 'src/store/fixture.ts')).toEqual([expect.stringContaining('store/ may not import agent/')]);
  });

  it('fails contracts/ importing anything of ours', async () => {
    expect(await layerErrors('contracts-imports-shared.ts', 'src/contracts/fixture.ts')).toEqual([
      expect.stringContaining('contracts/ may not import shared/ (src/contracts/fixture.ts imports ../shared/errors.js). contracts/ may import: nothing of ours.'),
    ]);
  });

  it('passes a front end that goes through app/, and imports within its own layer', async () => {
    expect(await layerErrors('cli-imports-app.ts', 'src/cli/commands/fixture.ts')).toEqual([]);
  });

  it('resolves paths: src/servers/shared/ is the servers\' own folder, and ../../shared/ from it is src/shared/', async () => {
    expect(await layerErrors('server-imports-own-shared.ts', 'src/servers/shared/fixture.ts')).toEqual([]);
  });

  it('leaves tests free to assemble layers', async () => {
    expect(await layerErrors('cli-imports-store.ts', 'src/cli/commands/fixture.test.ts')).toEqual([]);
  });
});
