import type { Runtime } from '../app/runtime.js';
import type { Logger } from '../shared/logger.js';
import type { ApprovalJson } from './approvals.js';
import type { RunManager } from '../app/run-manager.js';
import type { SessionStreams } from './session-streams.js';

/** What every route needs: the process's runtime (store, model, servers), the runs executing in it, and the session streams. */
export interface ApiContext {
  readonly runtime: Runtime;
  readonly runs: RunManager;
  readonly streams: SessionStreams;
  readonly logger: Logger;
  /** Tells every tab following the approval's session that it was decided (REST and WebSocket decisions alike). */
  readonly onApprovalDecided: (approval: ApprovalJson) => void;
}
