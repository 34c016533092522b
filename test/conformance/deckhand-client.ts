// Conformance driver for Deckhand's MCP host: `conformance client --command "node <bundle of this file>"` starts a
// test server per scenario and runs this with the server URL as the last argument, the scenario name in
// MCP_CONFORMANCE_SCENARIO and scenario data (pre-registered OAuth credentials) as JSON in MCP_CONFORMANCE_CONTEXT.
// It drives the real connection layer (McpHost → ServerConnection): connect (with OAuth when the server asks for
// it), list the tools and call each one. The checks are made by the test server; this exits by itself, 0 when
// every step worked.
import type { ElicitationHandler } from '../../src/mcp/index.js';
import { followAuthorizationRedirect, McpHost, OAuthProvider, toModelToolName } from '../../src/mcp/index.js';

/** The test authorization server takes this URL as the client_id of a metadata-document client (SEP-991). */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
const REDIRECT_URL = 'http://localhost:3000/callback';

/** Arguments for the tools the scenarios check by value; any other tool gets arguments made from its schema. */
const KNOWN_ARGUMENTS: Record<string, Record<string, unknown>> = { add_numbers: { a: 2, b: 3 } };

interface ScenarioContext {
  readonly client_id?: string;
  readonly client_secret?: string;
}

const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '(none)';
const log = (message: string) => process.stderr.write(`[deckhand:${scenario}] ${message}\n`);

/** Accepts every form with no answers of its own, so the fields come from the schema defaults (SEP-1034). */
const acceptDefaults: ElicitationHandler = async (request) => {
  log(`elicitation: ${request.message}`);
  return { action: 'accept', content: {} };
};

function argumentsFromSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string }>;
  return Object.fromEntries(
    Object.entries(properties).map(([name, property]) => {
      if (property.type === 'number' || property.type === 'integer') return [name, 1];
      if (property.type === 'boolean') return [name, true];
      return [name, 'x'];
    }),
  );
}

async function main(): Promise<number> {
  const url = process.argv.at(-1);
  if (!url?.startsWith('http')) throw new Error(`expected the server URL as the last argument, got ${url}`);
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as ScenarioContext;
  const clientInformation = context.client_id
    ? { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) }
    : undefined;

  const host = await McpHost.start({
    servers: { conformance: { url, headers: {} } },
    elicitation: acceptDefaults,
    oauth: () =>
      new OAuthProvider({
        redirectUrl: REDIRECT_URL,
        authorize: followAuthorizationRedirect(),
        clientMetadataUrl: CLIENT_METADATA_URL,
        ...(clientInformation ? { clientInformation } : {}),
      }),
  });
  try {
    const [failure] = host.failures();
    if (failure) {
      log(`connect failed: ${failure.error}`);
      return 1;
    }
    const tools = host.connection('conformance')?.tools ?? [];
    log(`tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
    let failed = 0;
    for (const tool of tools) {
      const input = KNOWN_ARGUMENTS[tool.name] ?? argumentsFromSchema(tool.inputSchema);
      const outcome = await host.call(toModelToolName('conformance', tool.name), input, { toolCallId: tool.name });
      log(`${tool.name} → ${outcome.isError ? 'error: ' : ''}${outcome.text.slice(0, 200)}`);
      if (outcome.isError) failed += 1;
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await host.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
