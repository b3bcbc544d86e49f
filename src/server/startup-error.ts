/**
 * A start-up failure the operator can act on (a taken port, a data directory in use, a bad
 * flag file): `wheelhouse` prints its message as one line, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A listen failure, worded for the operator: `cannot listen on HOST:PORT for the HTTP API: address already in use`. */
export function listenError(what: string, address: string, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const text = String((err as Error)?.message ?? err);
  const why =
    code === 'EADDRINUSE' || /address already in use|EADDRINUSE/i.test(text)
      ? 'address already in use'
      : code === 'EACCES' || /EACCES|permission denied/i.test(text)
        ? 'permission denied'
        : code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL|cannot assign requested address/i.test(text)
          ? 'the address is not available on this machine'
          : text;
  return new StartupError(`cannot listen on ${address} for ${what}: ${why}`, { cause: err });
}
