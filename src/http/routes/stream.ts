import type { WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RunEvent } from '../../contracts/index.js';
import { runExists } from '../../app/runs.js';
import { errorMessage } from '../../shared/errors.js';
import { decideApproval, toDecisionRequest } from '../approvals.js';
import type { ApiContext } from '../context.js';
import { ApiError, toErrorResponse } from '../errors.js';
import { actorFrom, ClientFrameSchema, describeIssue, IdParamsSchema, parseInput } from '../input.js';

/** Close code sent when the run does not exist (4000–4999 are for applications). */
export const CLOSE_UNKNOWN_RUN = 4404;

/** A frame the server sends besides run events. */
type ServerFrame =
  | { readonly type: 'ack'; readonly approvalId: string; readonly status: string; readonly resumed: boolean; readonly reason?: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly approvalId?: string };

type Send = (frame: RunEvent | ServerFrame) => void;

/**
 * `GET /api/runs/:id/stream` (WebSocket): the run's stored events first, then live ones, each a JSON text frame
 * of a `RunEvent`. Client frames `{"type":"approve"|"deny"|"answer","approvalId",…}` decide the run's approvals
 * (answered with an `ack` or `error` frame; a malformed frame gets an `error` frame and the socket stays up). The
 * socket stays open after `run-end`: a resume may follow, and its events arrive on the same socket; the client
 * closes it when done. A plain HTTP GET gets 426.
 */
export function streamRoutes(app: FastifyInstance, { runtime, runs, logger, onApprovalDecided }: ApiContext): void {
  /** Validates one client frame and decides the approval it names, answering with an ack or error frame. */
  const handleFrame = async (send: Send, runId: string, actor: string, text: string, isBinary: boolean): Promise<void> => {
    if (isBinary) return send({ type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON text.' });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return send({ type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON text: this one does not parse.' });
    }
    const parsed = ClientFrameSchema.safeParse(value);
    if (!parsed.success) return send({ type: 'error', code: 'BAD_FRAME', message: describeIssue('frame', parsed.error) });
    const frame = parsed.data;
    try {
      const result = await decideApproval({ store: runtime.store, runs, onDecided: onApprovalDecided }, frame.approvalId, { ...toDecisionRequest(frame, actor), runId });
      send({
        type: 'ack',
        approvalId: frame.approvalId,
        status: result.approval.status,
        resumed: result.resumed,
        ...(result.resumed ? {} : { reason: result.reason }),
      });
    } catch (error) {
      const { body } = toErrorResponse(error);
      if (body.error.code === 'INTERNAL') logger.error({ runId, error: errorMessage(error) }, 'stream decision failed');
      send({ type: 'error', ...body.error, approvalId: frame.approvalId });
    }
  };

  /** Sends the backlog, then live events, until the socket closes; an unknown run gets an error frame and 4404. */
  const subscribe = async (socket: WebSocket, runId: string, send: Send): Promise<void> => {
    if (!(await runExists(runtime.store, runId))) {
      send({ type: 'error', code: 'NOT_FOUND', message: `No run ${runId}.` });
      socket.close(CLOSE_UNKNOWN_RUN, 'no such run');
      return;
    }
    if (socket.readyState !== socket.OPEN) return;
    const unsubscribe = await runs.subscribe(runId, send);
    if (socket.readyState !== socket.OPEN) unsubscribe();
    else socket.once('close', unsubscribe);
  };

  app.route<{ Params: { id: string } }>({
    method: 'GET',
    url: '/api/runs/:id/stream',
    // Checked before the upgrade, so a bad id or actor header is an HTTP 400 from the one error handler.
    preValidation: async (request) => {
      parseInput(IdParamsSchema, request.params, 'params');
      actorFrom(request.headers);
    },
    handler: async () => {
      throw new ApiError(426, 'UPGRADE_REQUIRED', 'This endpoint is a WebSocket: connect to it with a WebSocket client.');
    },
    wsHandler: (socket, request) => {
      const runId = request.params.id;
      const actor = actorFrom(request.headers);
      const send: Send = (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      // Listen at once: frames that arrive while the backlog is read must not be lost.
      socket.on('message', (data, isBinary) => {
        void handleFrame(send, runId, actor, data.toString(), isBinary).catch((error: unknown) => {
          logger.warn({ runId, error: errorMessage(error) }, 'stream frame failed');
        });
      });
      void subscribe(socket, runId, send).catch((error: unknown) => {
        logger.error({ runId, error: errorMessage(error) }, 'stream subscription failed');
        socket.close(1011, 'internal error');
      });
    },
  });
}
