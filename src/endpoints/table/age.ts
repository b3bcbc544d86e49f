/** Human-readable durations as kubectl and the server-side printers show ages (`5m`, `3d4h`). */

import { humanDuration } from '../../util/human-duration.js';

export { humanDuration };

/** The age of an object from its creationTimestamp, `<unknown>` when unset. */
export function ageOf(creationTimestamp: string | undefined, now = Date.now()): string {
  if (!creationTimestamp) return '<unknown>';
  const t = Date.parse(creationTimestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration((now - t) / 1000);
}
