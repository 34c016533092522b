/**
 * Handles Ctrl-C while a run is in flight: the first SIGINT calls `onFirst` (cancel cleanly), a second one
 * exits at once with `exitCode`. Disposing restores the default behaviour.
 */
export function onInterrupt(onFirst: () => void, exitCode: number): Disposable {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) onFirst();
    else process.exit(exitCode);
  };
  process.on('SIGINT', handler);
  return { [Symbol.dispose]: () => void process.off('SIGINT', handler) };
}
