/**
 * The current time as meta/v1 Time serializes it (RFC 3339, whole seconds, `Z`). The text
 * changes once a second, so it is formatted once per second and shared by every write
 * within it, rather than built from a new Date on each.
 */
let second = Number.NaN;
let text = '';

/** Now, in RFC 3339 with seconds precision. */
export function nowRfc3339(): string {
  const s = Math.floor(Date.now() / 1000);
  if (s !== second) {
    second = s;
    text = new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  }
  return text;
}
