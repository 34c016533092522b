/**
 * @module A size limit on the newline-delimited JSON-RPC messages a stdio server reads. The SDK's stdio
 * transport closes the connection when its read buffer overflows (the server then exits); this stream sits in
 * front of it, passes whole lines through, and swallows a line over the limit, so the server can answer that
 * one request with a JSON-RPC error and keep serving.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** The largest JSON-RPC message a built-in stdio server accepts: 4 MiB (a tool argument near that size is refused). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Bytes kept from the start and the end of an oversized line, to find its request id. */
const EDGE_BYTES = 4_096;

const NEWLINE = 0x0a;

/** A JSON-RPC request id as written on the wire (a JSON number or string), or null when none was found. */
export type WireId = string | number | null;

/**
 * Finds the top-level `"id"` of a JSON-RPC message from its first and last bytes. Clients write `id` either
 * before `params` (found in the head, before the first `"params"`) or after it (the last `"id"` in the tail).
 */
export function findRequestId(head: string, tail: string): WireId {
  const pattern = /"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")\s*[,}]/g;
  const beforeParams = head.split('"params"')[0] ?? '';
  const fromHead = [...beforeParams.matchAll(pattern)].at(0) ?? (head.includes('"params"') ? undefined : [...head.matchAll(pattern)].at(0));
  const match = fromHead ?? [...tail.matchAll(pattern)].at(-1);
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as string | number;
  } catch {
    return null;
  }
}

export interface MessageSizeLimitOptions {
  /** Default {@link MAX_MESSAGE_BYTES}. */
  readonly maxBytes?: number;
  /** Called once per swallowed line, with its request id (null for a notification or when none is found) and its size so far. */
  readonly onOversized: (id: WireId, bytes: number) => void;
}

/**
 * A stream that forwards complete lines of at most `maxBytes` bytes (newline excluded) and drops longer ones,
 * reporting each through `onOversized`. Memory stays bounded by `maxBytes` whatever the peer sends.
 */
export function limitMessageSize(options: MessageSizeLimitOptions): Transform {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let head = '';
  let tail = Buffer.alloc(0);

  const keepTail = (segment: Buffer) => {
    tail = Buffer.concat([tail, segment.subarray(Math.max(0, segment.length - EDGE_BYTES))]);
    if (tail.length > EDGE_BYTES) tail = tail.subarray(tail.length - EDGE_BYTES);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let start = 0;
      while (start <= chunk.length) {
        const newline = chunk.indexOf(NEWLINE, start);
        const end = newline === -1 ? chunk.length : newline;
        const segment = chunk.subarray(start, end);
        if (!oversized && pendingBytes + segment.length > maxBytes) {
          oversized = true;
          head = Buffer.concat([...pending, segment]).subarray(0, EDGE_BYTES).toString('utf8');
          for (const part of pending) keepTail(part);
          pending = [];
        }
        if (oversized) keepTail(segment);
        else if (segment.length > 0) pending.push(segment);
        pendingBytes += segment.length;
        if (newline === -1) break;
        if (oversized) {
          options.onOversized(findRequestId(head, tail.toString('utf8')), pendingBytes);
        } else {
          pending.push(Buffer.from('\n'));
          this.push(Buffer.concat(pending));
        }
        pending = [];
        pendingBytes = 0;
        oversized = false;
        head = '';
        tail = Buffer.alloc(0);
        start = newline + 1;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!oversized && pending.length > 0) this.push(Buffer.concat(pending));
      callback();
    },
  });
}

/** The JSON-RPC error a server sends for a swallowed message (`-32600`, Invalid Request), one line. */
export function oversizedMessageError(id: WireId, bytes: number, maxBytes = MAX_MESSAGE_BYTES): string {
  const limit = `${maxBytes / (1024 * 1024)} MiB`;
  const message = `Request too large: ${bytes.toLocaleString('en-US')} bytes, over this server's limit of ${limit} per message. Send smaller arguments.`;
  return `${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message } })}\n`;
}
