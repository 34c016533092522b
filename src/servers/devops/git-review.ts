/**
 * @module The review phase of a deploy: what changed between the commit an environment last ran and the branch
 * head, read from git (never guessed), and the risk signals in it.
 */
import type { Kysely } from 'kysely';
import { ToolFailure } from '../shared/tool-failure.js';
import { runCommand } from './run-command.js';
import type { DevopsDatabase } from './tables.js';

const GIT_TIMEOUT_MS = 30_000;
/** Most commits listed in a review. */
export const MAX_REVIEW_COMMITS = 200;
/** git's empty tree: the base of a first deploy. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface ReviewCommit {
  readonly sha: string;
  readonly author: string;
  readonly date: string;
  readonly subject: string;
  readonly breaking: boolean;
}

export interface ChangedFile {
  readonly path: string;
  /** A (added), M, D, R (renamed), … as git prints it. */
  readonly status: string;
  readonly additions: number;
  readonly deletions: number;
}

export interface RiskSignal {
  readonly kind: 'migration' | 'dependency-major-bump' | 'deleted-export' | 'breaking-commit' | 'large-diff' | 'dirty-tree' | 'tests-not-on-head';
  readonly detail: string;
}

export interface Review {
  readonly branch: string;
  readonly sha: string;
  /** The commit of the environment's last successful deploy, or null for a first deploy. */
  readonly baseSha: string | null;
  readonly commits: ReviewCommit[];
  /** More commits than {@link MAX_REVIEW_COMMITS} were in range. */
  readonly commitsTruncated: boolean;
  readonly files: ChangedFile[];
  readonly additions: number;
  readonly deletions: number;
  /** The checked-out commit of the repository (where the tests run). */
  readonly headSha: string;
  readonly dirtyFiles: string[];
  readonly signals: RiskSignal[];
}

export interface GitContext {
  readonly db: Kysely<DevopsDatabase>;
  readonly repo: string;
  readonly env: Readonly<Record<string, string>>;
  readonly deploymentId: string | null;
}

/** Runs git in the repository; throws a ToolFailure with git's message when it fails. */
export async function git(context: GitContext, args: string[]): Promise<string> {
  const result = await runCommand({
    db: context.db,
    argv: ['git', ...args],
    cwd: context.repo,
    env: { ...context.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    timeoutMs: GIT_TIMEOUT_MS,
    purpose: 'git',
    deploymentId: context.deploymentId,
  });
  if (result.exitCode !== 0) {
    const why = result.spawnError ?? (result.timedOut ? 'timed out' : result.output.trim().split('\n').at(-1) ?? `exit ${result.exitCode}`);
    throw new ToolFailure(`git ${args[0]} failed in ${context.repo}: ${why}`);
  }
  return result.output;
}

/** Branch names a caller may pass: no leading "-" (it would be an option), no "..", no spaces. */
export function checkBranchName(branch: string): void {
  if (!/^[A-Za-z0-9._/][A-Za-z0-9._/@-]*$/.test(branch) || branch.includes('..') || branch.length > 200) {
    throw new ToolFailure(`"${branch}" is not a branch name: use letters, digits, ".", "_", "/", "-" (e.g. main or release/1.2).`);
  }
}

/** The full sha the branch points to. */
export async function resolveBranch(context: GitContext, branch: string): Promise<string> {
  checkBranchName(branch);
  const result = await runCommand({
    db: context.db,
    argv: ['git', 'rev-parse', '--verify', '--quiet', `${branch}^{commit}`],
    cwd: context.repo,
    env: context.env,
    timeoutMs: GIT_TIMEOUT_MS,
    purpose: 'git',
    deploymentId: context.deploymentId,
  });
  if (result.exitCode !== 0 || result.spawnError) {
    if (result.spawnError) throw new ToolFailure(`git could not run in ${context.repo}: ${result.spawnError}. Is git installed?`);
    const branches = (await git(context, ['branch', '--format=%(refname:short)'])).trim().split('\n').filter(Boolean);
    throw new ToolFailure(`No branch or commit "${branch}" in ${context.repo}. Branches: ${branches.slice(0, 20).join(', ') || 'none'}.`);
  }
  return result.output.trim();
}

const isMigration = (path: string) =>
  /(^|\/)(migrations?|migrate|alembic|flyway|liquibase)\//i.test(path) || /(^|\/)[^/]*migration[^/]*$/i.test(path) || /\.sql$/i.test(path);

const BREAKING = /BREAKING[ -]CHANGE|^[a-z]+(\([^)]*\))?!:/im;

/** Reviews `branch` at `sha` against `baseSha` (the last successful deploy) in the repository. */
export async function reviewChanges(
  context: GitContext,
  options: { branch: string; sha: string; baseSha: string | null; largeDiffLines: number },
): Promise<Review> {
  const { branch, sha, largeDiffLines } = options;
  // A base that is gone from the repository (history rewritten) cannot be compared: review as a first deploy.
  let baseSha = options.baseSha;
  if (baseSha !== null) {
    const exists = await runCommand({ db: context.db, argv: ['git', 'cat-file', '-e', `${baseSha}^{commit}`], cwd: context.repo, env: context.env, timeoutMs: GIT_TIMEOUT_MS, purpose: 'git', deploymentId: context.deploymentId });
    if (exists.exitCode !== 0) baseSha = null;
  }
  const range = baseSha ? `${baseSha}..${sha}` : sha;
  const log = await git(context, ['log', `--max-count=${MAX_REVIEW_COMMITS + 1}`, '--format=%H%x1f%an%x1f%aI%x1f%s%x1f%b%x1e', range]);
  const allCommits = log
    .split('\x1e')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [commitSha = '', author = '', date = '', subject = '', body = ''] = entry.split('\x1f');
      return { sha: commitSha, author, date, subject, breaking: BREAKING.test(`${subject}\n${body}`) };
    });
  const commits = allCommits.slice(0, MAX_REVIEW_COMMITS);
  const base = baseSha ?? EMPTY_TREE;
  const numstat = await git(context, ['diff', '--numstat', '-M', base, sha]);
  const nameStatus = await git(context, ['diff', '--name-status', '-M', base, sha]);
  const statusByPath = new Map<string, string>();
  for (const line of nameStatus.split('\n').filter(Boolean)) {
    const [status = '', ...paths] = line.split('\t');
    statusByPath.set(paths.at(-1) ?? '', status.charAt(0));
  }
  const files: ChangedFile[] = numstat
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [added = '0', deleted = '0', ...rest] = line.split('\t');
      const path = rest.join('\t').replace(/\{[^}]* => ([^}]*)\}/, '$1').replace(/^.* => /, '');
      return { path, status: statusByPath.get(path) ?? 'M', additions: Number(added) || 0, deletions: Number(deleted) || 0 };
    });
  const additions = files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = files.reduce((sum, file) => sum + file.deletions, 0);
  const headSha = (await git(context, ['rev-parse', 'HEAD'])).trim();
  const dirtyFiles = (await git(context, ['status', '--porcelain', '--untracked-files=no']))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));

  const signals: RiskSignal[] = [];
  const migrations = files.filter((file) => file.status !== 'D' && isMigration(file.path));
  if (migrations.length > 0) signals.push({ kind: 'migration', detail: `database migrations changed: ${migrations.map((file) => file.path).join(', ')}` });
  if (files.some((file) => file.path === 'package.json') && baseSha) {
    for (const bump of await dependencyMajorBumps(context, baseSha, sha)) signals.push({ kind: 'dependency-major-bump', detail: bump });
  }
  if (baseSha) {
    const deleted = await deletedExports(context, baseSha, sha);
    if (deleted.length > 0) signals.push({ kind: 'deleted-export', detail: `exports removed: ${deleted.slice(0, 20).join(', ')}${deleted.length > 20 ? ', …' : ''}` });
  }
  for (const commit of commits.filter((entry) => entry.breaking)) signals.push({ kind: 'breaking-commit', detail: `${commit.sha.slice(0, 7)} ${commit.subject}` });
  if (baseSha && additions + deletions > largeDiffLines) {
    signals.push({ kind: 'large-diff', detail: `${additions + deletions} lines changed in ${files.length} files (over ${largeDiffLines})` });
  }
  if (dirtyFiles.length > 0) signals.push({ kind: 'dirty-tree', detail: `uncommitted changes in the working tree: ${dirtyFiles.slice(0, 10).join(', ')}` });
  if (headSha !== sha) signals.push({ kind: 'tests-not-on-head', detail: `the working tree is at ${headSha.slice(0, 7)}, not at ${branch} (${sha.slice(0, 7)}): tests ran on the checked-out code` });
  return { branch, sha, baseSha, commits, commitsTruncated: allCommits.length > MAX_REVIEW_COMMITS, files, additions, deletions, headSha, dirtyFiles, signals };
}

/** `package.json` dependencies whose major version went up between two commits. */
async function dependencyMajorBumps(context: GitContext, baseSha: string, sha: string): Promise<string[]> {
  const read = async (commit: string) => {
    try {
      const manifest = JSON.parse(await git(context, ['show', `${commit}:package.json`])) as Record<string, unknown>;
      const merged: Record<string, string> = {};
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        const deps = manifest[field];
        if (deps && typeof deps === 'object') for (const [name, range] of Object.entries(deps)) if (typeof range === 'string') merged[name] = range;
      }
      return merged;
    } catch {
      return {};
    }
  };
  const [before, after] = await Promise.all([read(baseSha), read(sha)]);
  const major = (range: string) => Number(/(\d+)/.exec(range)?.[1] ?? Number.NaN);
  const bumps: string[] = [];
  for (const [name, range] of Object.entries(after)) {
    const old = before[name];
    if (old !== undefined && major(range) > major(old)) bumps.push(`${name} ${old} → ${range}`);
  }
  return bumps;
}

const EXPORT = /^[-+]\s*export\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;

/** Names exported by removed lines of source files and not exported by any added line. */
async function deletedExports(context: GitContext, baseSha: string, sha: string): Promise<string[]> {
  const diff = await git(context, ['diff', '-U0', baseSha, sha, '--', '*.ts', '*.tsx', '*.js', '*.jsx', '*.mjs', '*.cjs', '*.mts', '*.cts']);
  const removed = new Set<string>();
  const added = new Set<string>();
  for (const line of diff.split('\n')) {
    if (line.startsWith('---') || line.startsWith('+++')) continue;
    const name = EXPORT.exec(line)?.[1];
    if (!name) continue;
    (line.startsWith('-') ? removed : added).add(name);
  }
  return [...removed].filter((name) => !added.has(name)).sort();
}
