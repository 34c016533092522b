// Baseline MCP server for `npm run bench`: the bare v2 SDK `McpServer` with one `echo` tool over stdio,
// nothing else (no store, no output schema). Plain ESM, run unbundled: `node bench/echo-server.mjs`.
// Packages resolve from the repository's node_modules because this file lives inside the repository.
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
server.registerTool(
  'echo',
  { description: 'Returns its input text.', inputSchema: z.object({ text: z.string() }) },
  async ({ text }) => ({ content: [{ type: 'text', text }] }),
);
await server.connect(new StdioServerTransport());
