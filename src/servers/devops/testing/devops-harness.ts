/**
 * @module The devops server on the one server harness: a fixture git repository (fixture-repo.ts), the devops
 * config pointing at it (passed as the server's environment, `DECKHAND_DEVOPS_CONFIG`, on either backend), and a
 * client that answers sampling and elicitation as the test scripts them and keeps what it was asked.
 */
import type { CreateMessageRequest, ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';
import type { OpenHarness, ServerHarness } from '../../testing/server-harness.js';
import { DEVOPS_CONFIG_ENV, type DevopsConfig, DevopsConfigSchema } from '../config.js';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo.js';

/** The devops server behind a real client, with its fixture repository and what the server asked the client. */
export interface DevopsHarness extends ServerHarness {
  readonly fixture: FixtureRepo;
  /** Every sampling request the server sent, in order. */
  readonly sampled: CreateMessageRequest['params'][];
  /** Every elicitation request the server sent, in order. */
  readonly elicited: ElicitRequest['params'][];
}

export interface DevopsHarnessOptions {
  /** Config overrides (merged over the fixture's). `null`: no devops section at all. */
  readonly config?: Partial<DevopsConfig> | null;
  /** What the client's model answers to sampling; absent: the client does not offer sampling. */
  readonly sample?: () => string;
  /** How the person answers elicitation; absent: the client does not offer elicitation. */
  readonly elicit?: (request: ElicitRequest['params']) => ElicitResult;
  /** More of the server's environment (over the fixture's `PATH`, `API_URL`, `DB_URL` and config). */
  readonly env?: Record<string, string>;
}

/** Opens the devops server with `open` (one backend of `forEachBackend`) over a fresh fixture repository. */
export async function openDevops(open: OpenHarness, options: DevopsHarnessOptions = {}): Promise<DevopsHarness> {
  const fixture = createFixtureRepo();
  const config =
    options.config === null
      ? undefined
      : DevopsConfigSchema.parse({
          repo: fixture.repo,
          testCommand: [fixture.testScript],
          environments: {
            staging: { deploy: [fixture.deployScript, '{environment}', '{sha}'], requiredConfig: ['API_URL'] },
            production: { deploy: [fixture.deployScript, '{environment}', '{sha}'], requiredConfig: ['API_URL', 'DB_URL'], requireApproval: true },
          },
          logDirs: [fixture.logDir],
          ...options.config,
        });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    API_URL: 'https://api.example.test',
    DB_URL: 'postgres://secret@db.example.test/app',
    ...(config ? { [DEVOPS_CONFIG_ENV]: JSON.stringify(config) } : {}),
    ...options.env,
  };
  const sampled: CreateMessageRequest['params'][] = [];
  const elicited: ElicitRequest['params'][] = [];
  const { sample, elicit } = options;
  const harness = await open('devops', {
    env,
    client: {
      capabilities: { ...(sample ? { sampling: {} } : {}), ...(elicit ? { elicitation: { form: {} } } : {}) },
      handle: (client) => {
        if (sample) {
          client.setRequestHandler('sampling/createMessage', async (request) => {
            sampled.push(request.params);
            return { model: 'client-model', role: 'assistant', content: { type: 'text', text: sample() } };
          });
        }
        if (elicit) {
          client.setRequestHandler('elicitation/create', async (request) => {
            elicited.push(request.params);
            return elicit(request.params);
          });
        }
      },
    },
  });
  return { ...harness, fixture, sampled, elicited };
}
