/**
 * Waits for `work` (a follow mode) until SIGINT or SIGTERM, which call `stop`
 * and end the command normally: Ctrl-C is how an operator ends `-f` and `--watch`.
 */
export async function untilInterrupted(work: Promise<void>, stop: () => void): Promise<void> {
  let interrupted: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (interrupted = resolve));
  const onSignal = () => {
    stop();
    interrupted();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await Promise.race([work, signalled]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
