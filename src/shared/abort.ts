/** Merges caller and timeout signals; undefined entries are skipped. */
export function mergeSignals(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Awaits `promise`, rejecting early when `signal` aborts (and running `onAbort` to release resources). */
export async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => unknown): Promise<T> {
  const merged = mergeSignals(signal);
  if (!merged) return promise;
  if (merged.aborted) {
    await onAbort?.();
    throw merged.reason;
  }
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      void Promise.resolve(onAbort?.()).catch(() => {});
      reject(
        merged.reason instanceof Error && merged.reason.name === 'TimeoutError'
          ? new Error('timed out')
          : merged.reason,
      );
    };
    merged.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (listener) merged.removeEventListener('abort', listener);
  }
}
