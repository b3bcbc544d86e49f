/** The Status reason of an error thrown by the SDK (`NotFound`, `Conflict`, ...), or ''. */
export function reasonOf(err: unknown): string {
  const reason = (err as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : '';
}
