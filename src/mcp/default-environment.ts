/**
 * @module The environment a spawned server inherits by default: the MCP SDK's `getDefaultEnvironment`, rewritten
 * here because its module loads the SDK's core (~60 ms), and the shared server process is spawned before that
 * (see `prestart.ts`). `default-environment.test.ts` checks the two agree.
 */

/** What the SDK lets a server inherit (`DEFAULT_INHERITED_ENV_VARS` of `@modelcontextprotocol/client/stdio`). */
const INHERITED = process.platform === 'win32'
  ? ['APPDATA', 'COMSPEC', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PATH', 'PATHEXT', 'PROCESSOR_ARCHITECTURE', 'PROGRAMDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)', 'PROGRAMW6432', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE', 'WINDIR']
  : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];

/** The variables of `env` a server inherits: those named above, except a value that is a shell function (`() {…`). */
export function defaultEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = env[key];
    if (value !== undefined && !value.startsWith('()')) inherited[key] = value;
  }
  return inherited;
}
