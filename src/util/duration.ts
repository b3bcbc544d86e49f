/**
 * Human-readable durations as upstream's printers show them (apimachinery's
 * duration.HumanDuration and the printers' translateTimestampSince).
 */

/** Formats a duration in seconds the way upstream's duration.HumanDuration does. */
export function humanDuration(totalSeconds: number): string {
  // Upstream truncates toward zero and tolerates a clock skew of under two seconds.
  const seconds = Math.trunc(totalSeconds);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when unset or unparsable. */
export function timestampMillis(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}

/** Time elapsed since a timestamp (upstream's translateTimestampSince): `<unknown>` when unset. */
export function since(timestamp: unknown, now = Date.now()): string {
  const t = timestampMillis(timestamp);
  return t === undefined ? '<unknown>' : humanDuration((now - t) / 1000);
}
