export { loadSettings, type ModelSource, type ProviderEnv, readDotEnv, type Settings, type SettingsFlags } from './load.js';
export {
  type ApprovalConfig,
  ApprovalConfigSchema,
  BUILTIN_SERVER_NAMES,
  type BuiltinServerName,
  type FileConfig,
  FileConfigSchema,
  type HttpServerConfig,
  type McpServerConfig,
  McpServerConfigSchema,
  ModelIdSchema,
  type PolicyRule,
  PolicyRuleSchema,
  type StdioServerConfig,
} from './schema.js';
