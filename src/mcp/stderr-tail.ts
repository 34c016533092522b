/** Keeps the last `maxBytes` of a child's stderr so a failed start can be reported with its own words. */
export class StderrTail {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly maxBytes = 4096) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  /** The tail as trimmed text, at most `lines` lines. */
  text(lines = 12): string {
    return this.chunks.join('').trimEnd().split('\n').slice(-lines).join('\n');
  }
}
