import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI and server tests run the bundled `dist/` entry points as real processes: build them once. */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
