/**
 * @module An MCP client transport over one socket: the stdio transport's framing (newline-delimited JSON-RPC,
 * the SDK's own `ReadBuffer` and `serializeMessage`) on a duplex stream instead of a child's stdin and stdout. The
 * host reaches each server of a shared process this way, one socket per server (see `shared-process.ts`).
 */
import type { Socket } from 'node:net';
import {
  type JSONRPCMessage,
  ReadBuffer,
  SdkError,
  SdkErrorCode,
  serializeMessage,
  type Transport,
} from '@modelcontextprotocol/client';

/** A client transport over `socket`; `pid` is the process at the other end. Closing it ends the socket. */
export class SocketClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly buffer = new ReadBuffer();
  private started = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly pid: number | undefined,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('SocketClientTransport already started; Client.connect() starts it.');
    this.started = true;
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
        for (let message = this.buffer.readMessage(); message !== null; message = this.buffer.readMessage()) {
          this.onmessage?.(message);
        }
      } catch (error) {
        // A line that is not JSON-RPC: the peer is broken, as the SDK's stdio transport treats it.
        this.onerror?.(error as Error);
        void this.close();
      }
    });
    this.socket.on('error', (error) => this.onerror?.(error));
    this.socket.on('close', () => this.finish());
    if (this.socket.destroyed) this.finish();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new SdkError(SdkErrorCode.NotConnected, 'Not connected'));
    return new Promise((resolve) => {
      if (this.socket.write(serializeMessage(message))) resolve();
      else this.socket.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
