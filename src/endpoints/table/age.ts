/** Human-readable ages as kubectl and the server-side printers show them (`5m`, `3d4h`). */
import { since } from '../../util/duration.js';

export { humanDuration } from '../../util/duration.js';

/** The age of an object from its creationTimestamp, `<unknown>` when unset. */
export function ageOf(creationTimestamp: string | undefined, now = Date.now()): string {
  return since(creationTimestamp, now);
}
