import type { WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { sessionExists } from '../../app/sessions.js';
import { errorMessage } from '../../shared/errors.js';
import { decideApproval } from '../approvals.js';
import { type ChatClientFrame, ChatClientFrameSchema, ChatQuerySchema } from '../chat-protocol.js';
import type { ApiContext } from '../context.js';
import { ApiError, NotFoundError, toErrorResponse } from '../errors.js';
import { actorFrom, describeIssue, parseInput } from '../input.js';
import type { SessionEventFrame, SessionNotice } from '../session-streams.js';

type Frame = SessionEventFrame | SessionNotice | { readonly type: string; readonly [key: string]: unknown };

/** One socket's state: the session it follows (at most one at a time) and the last id it was sent. */
interface Follow {
  sessionId?: string;
  unsubscribe?: () => void;
  lastEventId: number;
}

/**
 * `GET /ws/chat` (WebSocket): a chat over sessions. Client frames (see `chat-protocol.ts`): `subscribe`,
 * `message`, `approve`, `deny`, `answer`, `cancel`. The server sends the followed session's run events, each
 * with a per-session `id`, plus `ready`, `ack`, `approval-resolved` and `error` frames. A handshake query
 * `?sessionId=…&lastEventId=…` subscribes at once. A bad frame gets an `error` frame; the socket stays up.
 */
export function chatSocketRoutes(app: FastifyInstance, context: ApiContext): void {
  const { runtime, runs, streams, logger } = context;
  const decisions = { store: runtime.store, runs, onDecided: context.onApprovalDecided };

  const follow = async (socket: WebSocket, state: Follow, send: (frame: Frame) => void, sessionId: string, afterId: number): Promise<void> => {
    if (state.sessionId === sessionId) return;
    if (!(await sessionExists(runtime.store, sessionId))) throw new NotFoundError(`No session ${sessionId}. Send {"type":"message","text":…} without a sessionId to start one.`);
    state.unsubscribe?.();
    state.sessionId = sessionId;
    state.unsubscribe = undefined;
    let replayed = 0;
    const subscription = await streams.subscribe(sessionId, afterId, (frame) => {
      if ('id' in frame && typeof frame.id === 'number') {
        if (frame.id <= state.lastEventId) return;
        state.lastEventId = frame.id;
        replayed += 1;
      }
      send(frame);
    });
    // The socket closed or moved to another session while the backlog was read.
    if (socket.readyState !== socket.OPEN || state.sessionId !== sessionId) {
      subscription.unsubscribe();
      return;
    }
    state.unsubscribe = subscription.unsubscribe;
    send({ type: 'ready', sessionId, lastEventId: subscription.lastEventId, replayed });
  };

  const handle = async (socket: WebSocket, state: Follow, send: (frame: Frame) => void, actor: string, frame: ChatClientFrame): Promise<void> => {
    switch (frame.type) {
      case 'subscribe':
        state.lastEventId = frame.lastEventId ?? 0;
        if (state.sessionId === frame.sessionId) {
          // Re-subscribing to the same session (a client catching up): start over from its lastEventId.
          state.unsubscribe?.();
          state.sessionId = undefined;
        }
        return follow(socket, state, send, frame.sessionId, state.lastEventId);
      case 'message': {
        if (frame.sessionId !== undefined && frame.sessionId !== state.sessionId) {
          state.lastEventId = frame.lastEventId ?? 0;
          await follow(socket, state, send, frame.sessionId, state.lastEventId);
        }
        const started = await runs.start({ task: frame.text, ...(frame.sessionId !== undefined ? { sessionId: frame.sessionId } : {}) });
        if (frame.sessionId === undefined) {
          state.lastEventId = 0;
          state.unsubscribe?.();
          state.sessionId = undefined;
          await follow(socket, state, send, started.sessionId, 0);
        }
        return send({ type: 'ack', for: 'message', ...started });
      }
      case 'approve':
      case 'deny':
      case 'answer': {
        const result = await decideApproval(decisions, frame.approvalId, {
          decision: frame.type,
          by: actor,
          ...(frame.type === 'answer' ? { note: frame.text } : frame.note !== undefined ? { note: frame.note } : {}),
          ...(frame.type === 'approve' && frame.scope ? { scope: frame.scope } : {}),
          ...(frame.type === 'approve' && frame.args ? { editedArgs: frame.args } : {}),
          resume: frame.resume ?? true,
        });
        return send({
          type: 'ack',
          for: frame.type,
          approvalId: frame.approvalId,
          sessionId: result.approval.sessionId,
          status: result.approval.status,
          resumed: result.resumed,
          ...(result.resumed ? {} : { reason: result.reason }),
        });
      }
      case 'cancel':
        await runs.cancel(frame.runId);
        return send({ type: 'ack', for: 'cancel', runId: frame.runId });
    }
  };

  app.route({
    method: 'GET',
    url: '/ws/chat',
    preValidation: async (request) => {
      parseInput(ChatQuerySchema, request.query, 'query');
      actorFrom(request.headers);
    },
    handler: async () => {
      throw new ApiError(426, 'UPGRADE_REQUIRED', 'This endpoint is a WebSocket: connect to it with a WebSocket client.');
    },
    wsHandler: (socket, request) => {
      const actor = actorFrom(request.headers);
      const query = parseInput(ChatQuerySchema, request.query, 'query');
      const state: Follow = { lastEventId: query.lastEventId ?? 0 };
      const send = (frame: Frame) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      const fail = (error: unknown, approvalId?: string) => {
        const { body } = toErrorResponse(error);
        if (body.error.code === 'INTERNAL') logger.error({ error: errorMessage(error) }, 'chat frame failed');
        send({ type: 'error', ...body.error, ...(approvalId ? { approvalId } : {}) });
      };
      // Frames are handled one after another, in the order they arrive (a message after a subscribe needs it done).
      let queue: Promise<void> = Promise.resolve();
      socket.on('message', (data, isBinary) => {
        queue = queue.then(async () => {
          if (isBinary) return send({ type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON text.' });
          let value: unknown;
          try {
            value = JSON.parse(data.toString());
          } catch {
            return send({ type: 'error', code: 'BAD_FRAME', message: 'Frames must be JSON text: this one does not parse.' });
          }
          const parsed = ChatClientFrameSchema.safeParse(value);
          if (!parsed.success) return send({ type: 'error', code: 'BAD_FRAME', message: describeIssue('frame', parsed.error) });
          try {
            await handle(socket, state, send, actor, parsed.data);
          } catch (error) {
            fail(error, 'approvalId' in parsed.data ? parsed.data.approvalId : undefined);
          }
        });
      });
      socket.once('close', () => {
        state.unsubscribe?.();
        state.sessionId = undefined;
      });
      if (query.sessionId !== undefined) {
        const sessionId = query.sessionId;
        queue = queue.then(() => follow(socket, state, send, sessionId, state.lastEventId).catch((error: unknown) => fail(error)));
      }
    },
  });
}
