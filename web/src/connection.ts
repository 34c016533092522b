/**
 * A `/ws/chat` connection that reconnects by itself and resumes with the last event id it saw, so a dropped
 * network or a restarted server loses and repeats nothing.
 */
import type { ChatEvent, ChatNotice } from './types';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface ConnectionHandlers {
  onEvent(event: ChatEvent): void;
  onNotice(notice: ChatNotice): void;
  onStatus(status: ConnectionStatus): void;
}

const MAX_BACKOFF_MS = 5_000;

export class ChatConnection {
  private socket: WebSocket | undefined;
  private sessionId: string | undefined;
  private lastEventId = 0;
  private backoffMs = 250;
  private queue: string[] = [];
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly handlers: ConnectionHandlers) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  /** Follows `sessionId` from its first event (undefined: none, until a message starts one). */
  follow(sessionId: string | undefined): void {
    this.sessionId = sessionId;
    this.lastEventId = 0;
    if (sessionId) this.send({ type: 'subscribe', sessionId, lastEventId: 0 });
  }

  /** Sends a frame now, or once the socket is open again. */
  send(frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
    else this.queue.push(text);
  }

  private open(): void {
    this.handlers.onStatus('connecting');
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws/chat`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.backoffMs = 250;
      this.handlers.onStatus('open');
      // A resume first: frames queued while offline may depend on the session being followed.
      if (this.sessionId) socket.send(JSON.stringify({ type: 'subscribe', sessionId: this.sessionId, lastEventId: this.lastEventId }));
      for (const text of this.queue.splice(0)) socket.send(text);
    });
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as (ChatEvent | ChatNotice) & { id?: number; sessionId?: string };
      if (typeof frame.id === 'number') {
        // Events of a session no longer followed, or already seen, are dropped.
        if (frame.sessionId !== this.sessionId && this.sessionId !== undefined) return;
        if (this.sessionId === undefined) this.sessionId = frame.sessionId;
        if (frame.id <= this.lastEventId) return;
        this.lastEventId = frame.id;
        this.handlers.onEvent(frame as ChatEvent);
        return;
      }
      if (frame.type === 'ready' && this.sessionId === undefined) this.sessionId = frame.sessionId;
      this.handlers.onNotice(frame as ChatNotice);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.handlers.onStatus('closed');
      if (this.stopped) return;
      this.timer = setTimeout(() => this.open(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }
}
