/**
 * bin/deckhand.js on a Node older than package.json's engines: one line naming the fix, exit 2, before anything
 * that needs Node 24 is loaded. Uses the machine's own old Node (these machines ship Node 20) when there is one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, REPO_ROOT } from './helpers/cli.js';

const SYSTEM_NODE = '/usr/bin/node';
const systemMajor = existsSync(SYSTEM_NODE) ? Number(execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node.split(".")[0]']).toString().trim()) : undefined;

describe('bin/deckhand.js', () => {
  it('states the same minimum Node as package.json engines', () => {
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=24');
    expect(readFileSync(join(REPO_ROOT, 'bin', 'deckhand.js'), 'utf8')).toContain('if (major < 24)');
  });

  it.skipIf(systemMajor === undefined || systemMajor >= 24)(`refuses Node ${systemMajor} with one line and exit 2`, () => {
    const { home } = freshWorkspace();
    const result = spawnSync(SYSTEM_NODE, [join(REPO_ROOT, 'bin', 'deckhand.js'), '--version'], { env: cliEnv(home), encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^deckhand: Node 2\d\.[\d.]+ is too old; Deckhand needs Node 24 \(LTS\) or newer\.\n/);
    expect(result.stderr).toContain('scripts/bootstrap-node.sh');
  });
});
