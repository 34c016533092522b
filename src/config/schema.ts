import { z } from 'zod';
import { DevopsConfigSchema } from '../servers/devops/config.js';

/**
 * `deckhand.json` / `$DECKHAND_HOME/config.json`. The `mcpServers` block is the format Claude Desktop
 * and Cursor use, accepted unchanged: stdio servers by `command`, remote ones by `url`.
 */
export const StdioServerConfigSchema = z
  .object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1, 'a non-empty command'),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    /** Per-call timeout for this server, milliseconds. */
    timeoutMs: z.number().int().positive().optional(),
    disabled: z.boolean().optional(),
    /** Believe this server's tool annotations (read-only tools then run without asking). */
    trusted: z.boolean().optional(),
    /** The server honours `idempotency_key`: a call interrupted by a crash is replayed on resume without asking. */
    idempotent: z.boolean().optional(),
  })
  .loose();
export type StdioServerConfig = z.infer<typeof StdioServerConfigSchema>;

export const HttpServerConfigSchema = z
  .object({
    type: z.enum(['http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
    url: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL' })
      // fetch refuses URLs with credentials, so such a server could never be reached: say where they go instead.
      .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), {
        error: 'a URL without a user or password in it (put credentials in "headers", e.g. {"Authorization": "Bearer …"})',
      }),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().positive().optional(),
    disabled: z.boolean().optional(),
    trusted: z.boolean().optional(),
    idempotent: z.boolean().optional(),
  })
  .loose();
export type HttpServerConfig = z.infer<typeof HttpServerConfigSchema>;

export const McpServerConfigSchema = z.union([StdioServerConfigSchema, HttpServerConfigSchema], {
  error: 'an object with "command" (stdio server) or "url" (Streamable HTTP server)',
});
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;

/** Server names become tool-name prefixes (`server__tool`), so they follow the provider naming rules. */
export const ServerNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,32}$/, 'server names are 1-32 letters, digits, "_" or "-"');

export const BUILTIN_SERVER_NAMES = ['crm', 'orders', 'notes', 'email', 'issues', 'devops'] as const;
export type BuiltinServerName = (typeof BUILTIN_SERVER_NAMES)[number];

export const ModelIdSchema = z
  .string()
  .regex(
    /^(offline|(openai|openai-chat|anthropic|google|vertex|azure|bedrock|ollama|compat):[^\s]+)$/,
    'a model id "provider:model" with provider openai, openai-chat, anthropic, google, vertex, azure, bedrock, ollama or compat, or "offline"',
  );

const ProviderBaseUrlSchema = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });
/** The name of an environment variable, as `apiKeyEnv` gives it. */
const VariableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, "_")');

/** What every entry of `providers` may set: where requests go, extra headers, and which variable holds the key. */
const ProviderSettingsSchema = z
  .object({
    baseURL: ProviderBaseUrlSchema.optional(),
    headers: z.record(z.string(), z.string()).optional(),
    apiKeyEnv: VariableNameSchema.optional(),
  })
  .strict();
/** OpenAI and Azure speak the Responses API by default; `"api": "chat"` selects Chat Completions (for gateways). */
const OpenAIFamilySettingsSchema = ProviderSettingsSchema.extend({ api: z.enum(['responses', 'chat']).optional() }).strict();

/**
 * `providers`: per-provider settings, e.g. `{ "compat": { "baseURL": "https://gateway.example/v1", "headers": {…},
 * "apiKeyEnv": "GATEWAY_KEY" } }`. `${VAR}` is expanded in every string. Environment variables (`OPENAI_BASE_URL`…)
 * win over these, as everywhere else.
 */
export const ProvidersConfigSchema = z
  .object({
    openai: OpenAIFamilySettingsSchema.optional(),
    anthropic: ProviderSettingsSchema.optional(),
    google: ProviderSettingsSchema.optional(),
    vertex: ProviderSettingsSchema.extend({ project: z.string().min(1).optional(), location: z.string().min(1).optional() }).strict().optional(),
    azure: OpenAIFamilySettingsSchema.extend({ resourceName: z.string().min(1).optional(), apiVersion: z.string().min(1).optional() })
      .strict()
      .optional(),
    bedrock: ProviderSettingsSchema.extend({ region: z.string().min(1).optional() }).strict().optional(),
    ollama: ProviderSettingsSchema.optional(),
    compat: ProviderSettingsSchema.optional(),
  })
  .strict();
export type ProvidersConfig = z.infer<typeof ProvidersConfigSchema>;

/**
 * `pricing`: USD per million tokens, keyed `provider:model` or a bare model name (`provider:model` wins); overrides
 * the bundled price registry.
 */
export const PricingSchema = z.record(
  z.string().min(1),
  z
    .object({
      inputPerMTok: z.number().nonnegative(),
      outputPerMTok: z.number().nonnegative(),
      cachedInputPerMTok: z.number().nonnegative().optional(),
      cacheWriteInputPerMTok: z.number().nonnegative().optional(),
      /** Long-context rates: above `aboveInputTokens` prompt tokens, a call is charged these for all its tokens. */
      tiers: z
        .array(
          z
            .object({
              aboveInputTokens: z.number().int().positive(),
              inputPerMTok: z.number().nonnegative().optional(),
              outputPerMTok: z.number().nonnegative().optional(),
              cachedInputPerMTok: z.number().nonnegative().optional(),
              cacheWriteInputPerMTok: z.number().nonnegative().optional(),
            })
            .strict(),
        )
        .transform((tiers) => [...tiers].sort((left, right) => left.aboveInputTokens - right.aboveInputTokens))
        .optional(),
    })
    .strict(),
);

/** Limits of one budget scope (`budget.run`, `budget.session`, `budget.day`); each is optional. */
export const LimitsSchema = z
  .object({
    usd: z.number().positive().optional(),
    tokens: z.number().int().positive().optional(),
    steps: z.number().int().positive().optional(),
    wallSeconds: z.number().positive().optional(),
    toolCalls: z.number().int().positive().optional(),
  })
  .strict();

/** `budget`: limits per run, per session and per day (UTC, the whole install). `usd` is short for `run.usd`. */
export const BudgetConfigSchema = z
  .object({
    usd: z.number().positive().optional(),
    run: LimitsSchema.optional(),
    session: LimitsSchema.optional(),
    day: LimitsSchema.optional(),
    /** The most output tokens a model call may ask for while a budget bounds it. Default 4096. */
    maxOutputTokens: z.number().int().min(16).optional(),
  })
  .strict();
export type BudgetConfig = z.infer<typeof BudgetConfigSchema>;

/** `retry`: how model calls survive transient provider failures (429, 5xx, network). */
export const RetryConfigSchema = z
  .object({
    retries: z.number().int().min(0).max(10).optional(),
    baseDelayMs: z.number().int().min(0).optional(),
    maxDelayMs: z.number().int().min(0).optional(),
  })
  .strict();

/** `toolCache`: results of read-only tools of trusted servers, reused within their time to live. */
export const ToolCacheConfigSchema = z
  .object({
    enabled: z.boolean().optional(),
    ttlSeconds: z.number().positive().optional(),
  })
  .strict();
export type ToolCacheConfig = z.infer<typeof ToolCacheConfigSchema>;

/** A condition on one argument: a value to equal, or a comparison. */
export const ArgumentConditionSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z
    .object({
      eq: z.union([z.string(), z.number(), z.boolean()]).optional(),
      in: z.array(z.union([z.string(), z.number()])).optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      /** A regular expression, matched case-insensitively; compiled when the config is loaded (see `PolicyRuleSchema`). */
      matches: z.string().optional(),
    })
    .strict(),
]);
export type ArgumentCondition = z.infer<typeof ArgumentConditionSchema>;

/**
 * A rule in `approval.rules`: `{ "tool": "orders.refund_order", "args": { "amount": { "gt": 500 } }, "decision": "deny" }`.
 * `tool` is `server.tool` with `*` wildcards (`email.*`, `*.delete_*`).
 */
export const PolicyRuleSchema = z
  .object({
    tool: z.string().min(1),
    args: z.record(z.string(), ArgumentConditionSchema).optional(),
    decision: z.enum(['allow', 'ask', 'deny']),
    reason: z.string().max(300).optional(),
  })
  .strict()
  .superRefine((rule, context) => {
    // Name the rule in the error: "approval.rules.3.args.to.matches" alone makes a person count rules.
    for (const [name, condition] of Object.entries(rule.args ?? {})) {
      if (typeof condition !== 'object' || condition.matches === undefined) continue;
      try {
        new RegExp(condition.matches, 'i');
      } catch (error) {
        context.addIssue({
          code: 'custom',
          path: ['args', name, 'matches'],
          message: `the rule for "${rule.tool}" has "matches" that is not a valid regular expression (${(error as Error).message})`,
        });
      }
    }
  });
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

export const ApprovalConfigSchema = z
  .object({
    rules: z.array(PolicyRuleSchema).default([]),
    /** Hours a pending approval waits before it expires. Default 7 days. */
    expiresAfterHours: z.number().positive().max(24 * 365).default(168),
    /** Seconds a server's elicitation (a question mid-call, the call waiting) waits for a person before it is cancelled. */
    elicitationTimeoutSeconds: z.number().positive().max(24 * 3_600).default(120),
  })
  .strict();
export type ApprovalConfig = z.infer<typeof ApprovalConfigSchema>;

/** `compaction`: when older turns are summarised to keep requests inside the model's context window. */
export const CompactionConfigSchema = z
  .object({
    /** Share of the context window a request may fill before older turns are summarised. Default 0.75. */
    threshold: z.number().gt(0).lte(1).optional(),
    /** The model's context window in tokens. Default: by provider (128k OpenAI, 200k Anthropic, 32k others, 8k offline). */
    contextWindowTokens: z.number().int().min(1_000).optional(),
  })
  .strict();
export type CompactionConfig = z.infer<typeof CompactionConfigSchema>;

export const FileConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** One model id, or a fallback chain tried in order on a provider outage. */
    model: z.union([ModelIdSchema, z.array(ModelIdSchema).min(1, 'at least one model id')]).optional(),
    mcpServers: z.record(ServerNameSchema, McpServerConfigSchema).default({}),
    /** Per-provider settings (base URL, headers, which variable holds the key); see `ProvidersConfigSchema`. */
    providers: ProvidersConfigSchema.optional(),
    builtinServers: z
      .union([z.boolean(), z.array(z.string())], { error: `true, false, or a list of built-in server names (${BUILTIN_SERVER_NAMES.join(', ')})` })
      .superRefine((value, context) => {
        if (typeof value === 'boolean') return;
        for (const [index, name] of value.entries()) {
          if (!(BUILTIN_SERVER_NAMES as readonly string[]).includes(name)) {
            context.addIssue({
              code: 'custom',
              path: [index],
              message: `no built-in server "${name}"; the built-in servers are ${BUILTIN_SERVER_NAMES.join(', ')}`,
            });
          }
        }
      })
      .transform((value) => value as boolean | BuiltinServerName[])
      .default(true),
    maxSteps: z.number().int().min(1).max(200).optional(),
    toolTimeoutMs: z.number().int().positive().optional(),
    approval: ApprovalConfigSchema.default({ rules: [], expiresAfterHours: 168, elicitationTimeoutSeconds: 120 }),
    budget: BudgetConfigSchema.optional(),
    pricing: PricingSchema.optional(),
    /** Milliseconds one model call may take, stream included. Default 120000. */
    modelTimeoutMs: z.number().int().positive().optional(),
    retry: RetryConfigSchema.optional(),
    toolCache: ToolCacheConfigSchema.optional(),
    compaction: CompactionConfigSchema.optional(),
    /** The devops server: repository, test command, environments, log directories (see the README). */
    devops: DevopsConfigSchema.optional(),
  })
  .strict();
export type FileConfig = z.infer<typeof FileConfigSchema>;
