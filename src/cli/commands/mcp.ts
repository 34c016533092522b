import { loadSettings } from '../../config/load.js';
import { serveBuiltinStdio } from '../../servers/serve-stdio.js';

/** `deckhand mcp <server>`: runs one built-in server over stdio for any MCP host (Claude Desktop, the Inspector…). */
export async function mcpCommand(name: string): Promise<number> {
  const settings = loadSettings({});
  await serveBuiltinStdio({ name, dbFile: settings.dbFile, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  return 0;
}
