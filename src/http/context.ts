import type { Runtime } from '../app/runtime.js';
import type { Logger } from '../shared/logger.js';
import type { RunManager } from './run-manager.js';

/** What every route needs: the process's runtime (store, model, servers) and the runs executing in it. */
export interface ApiContext {
  readonly runtime: Runtime;
  readonly runs: RunManager;
  readonly logger: Logger;
}
