/**
 * @module A real git repository for the devops tests, in a temporary folder: a few commits on `main`, a fake
 * deploy script that records what it deployed (and can be held until released), a test script whose outcome a
 * file decides, and a log directory.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixtureRepo {
  /** The temporary folder holding everything. */
  readonly root: string;
  readonly repo: string;
  readonly logDir: string;
  /** Each line: `<environment> <sha>`, appended by the deploy script. */
  readonly deployRecord: string;
  readonly deployScript: string;
  readonly testScript: string;
  /** Commits a file on `main`; returns the new sha. */
  commit(file: string, content: string, message: string): string;
  sha(ref?: string): string;
  /** Makes the test script fail (exit 1, "1 failed") or pass again. */
  failTests(fail: boolean): void;
  /** Makes the deploy script wait for {@link release} after it starts. */
  holdDeploys(hold: boolean): void;
  /** Lets a held deploy finish. */
  release(): void;
  /** True once a held deploy has started. */
  deployStarted(): boolean;
  deployed(): string[];
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' } }).trim();

/** Creates the fixture: `main` with two commits (an app file and a package.json). */
export function createFixtureRepo(): FixtureRepo {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-devops-'));
  const repo = join(root, 'repo');
  const logDir = join(root, 'logs');
  const control = join(root, 'control');
  mkdirSync(repo);
  mkdirSync(logDir);
  mkdirSync(control);
  const deployRecord = join(root, 'deployed.txt');
  const deployScript = join(root, 'deploy.sh');
  const testScript = join(root, 'test.sh');
  writeFileSync(
    deployScript,
    `#!/bin/sh
# A fake deploy: says what it does, optionally waits to be released, records the deploy.
echo "deploying $2 to $1"
if [ -f "${control}/hold" ]; then
  touch "${control}/started"
  i=0
  while [ ! -f "${control}/release" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
fi
echo "$1 $2" >> "${deployRecord}"
echo "done"
`,
  );
  writeFileSync(
    testScript,
    `#!/bin/sh
echo "running the suite"
if [ -f "${control}/fail" ]; then echo "FAIL app.test.js > adds"; echo "Tests  1 failed | 3 passed (4)"; exit 1; fi
echo "Tests  4 passed (4)"
`,
  );
  chmodSync(deployScript, 0o755);
  chmodSync(testScript, 0o755);
  git(repo, 'init', '--quiet', '--initial-branch=main');
  const fixture: FixtureRepo = {
    root,
    repo,
    logDir,
    deployRecord,
    deployScript,
    testScript,
    commit(file, content, message) {
      mkdirSync(join(repo, file, '..'), { recursive: true });
      writeFileSync(join(repo, file), content);
      git(repo, 'add', file);
      git(repo, 'commit', '--quiet', '-m', message);
      return git(repo, 'rev-parse', 'HEAD');
    },
    sha: (ref = 'HEAD') => git(repo, 'rev-parse', ref),
    failTests: (fail) => (fail ? writeFileSync(join(control, 'fail'), '') : rmQuiet(join(control, 'fail'))),
    holdDeploys: (hold) => {
      if (hold) writeFileSync(join(control, 'hold'), '');
      else rmQuiet(join(control, 'hold'));
      rmQuiet(join(control, 'release'));
      rmQuiet(join(control, 'started'));
    },
    release: () => writeFileSync(join(control, 'release'), ''),
    deployStarted: () => existsSync(join(control, 'started')),
    deployed: () => (existsSync(deployRecord) ? readFileSync(deployRecord, 'utf8').trim().split('\n').filter(Boolean) : []),
  };
  fixture.commit('package.json', JSON.stringify({ name: 'app', dependencies: { express: '^4.18.0' } }, null, 2), 'chore: start the app');
  fixture.commit('src/app.js', 'export function add(a, b) {\n  return a + b;\n}\n', 'feat: add numbers');
  return fixture;
}

function rmQuiet(path: string): void {
  rmSync(path, { force: true });
}
