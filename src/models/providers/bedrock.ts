/**
 * @module `bedrock:<model>`: Amazon Bedrock's Converse API, signed with AWS credentials (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`) or a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), in
 * `AWS_REGION`. The package is imported on the first request.
 */
import { UsageError } from '../../shared/errors.js';
import { apiKeyOf, chooseBaseUrl, headersOf, type ProviderRequest, type ResolvedProvider, setting } from '../provider-settings.js';

/** `bedrock:<model id or inference profile>`, e.g. `bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0`. */
export function bedrockProvider(request: ProviderRequest): ResolvedProvider {
  const { env, settings } = request;
  const region = settings.region ?? setting(env.AWS_REGION);
  if (!region) {
    throw new UsageError(`${request.id} needs AWS_REGION (e.g. us-east-1) or providers.bedrock.region in deckhand.json`);
  }
  if (!/^[a-z0-9-]+$/.test(region)) throw new UsageError(`AWS_REGION is not an AWS region: "${region}" (expected e.g. us-east-1)`);
  const { key: apiKey, variable: apiKeyVariable } = apiKeyOf(request, 'AWS_BEARER_TOKEN_BEDROCK');
  const accessKeyId = setting(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = setting(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = setting(env.AWS_SESSION_TOKEN);
  if (!apiKey && (!accessKeyId || !secretAccessKey)) {
    throw new UsageError(
      `${request.id} needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), ` +
        `or a Bedrock API key in ${apiKeyVariable}; or use --model offline`,
    );
  }
  const chosen = chooseBaseUrl({ provider: 'bedrock', env, settings, versionPath: '' });
  const baseUrl = chosen?.baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`;
  return {
    endpoint: {
      provider: 'bedrock',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      apiKeyVariable: apiKey ? apiKeyVariable : 'AWS_ACCESS_KEY_ID',
      baseUrlVariable: chosen?.source ?? 'AWS_REGION',
      wireFormat: 'Bedrock Converse',
      baseUrlShape: 'a Bedrock runtime endpoint (https://bedrock-runtime.<region>.amazonaws.com)',
    },
    load: async () => {
      const { createAmazonBedrock } = await import('@ai-sdk/amazon-bedrock');
      // Every credential passed explicitly: left out, the SDK would read AWS_* from process.env.
      return createAmazonBedrock({
        region,
        baseURL: baseUrl,
        ...(apiKey
          ? { apiKey }
          : { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, ...(sessionToken ? { sessionToken } : {}) }),
        ...headersOf(settings),
      }).languageModel(request.modelName);
    },
  };
}
