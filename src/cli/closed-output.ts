/**
 * @module A closed stdout or stderr (`deckhand … | head`: the reader exited) ends that output quietly.
 */

const CLOSED_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * Makes writes to `streams` after their reader has gone away no-ops instead of an unhandled `EPIPE` that
 * crashes the process mid-run. The command goes on to its true end (a run finishes and is recorded as such,
 * and the exit code is the run's); only what nobody can read any more is dropped. Other stream errors still
 * throw.
 */
export function endQuietlyOnClosedOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== undefined && CLOSED_CODES.has(error.code)) return;
      throw error;
    });
  }
}
