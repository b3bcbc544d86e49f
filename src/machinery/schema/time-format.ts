/**
 * RFC 3339 timestamps as Kubernetes writes them: meta/v1 Time with whole seconds
 * ("2008-01-01T01:01:01Z") and MicroTime with six fraction digits
 * ("2010-01-01T01:01:01.000010Z"), always in UTC.
 */

/** A protobuf seconds/nanos instant. */
export interface Instant {
  seconds: number;
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats whole seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
export function formatRfc3339(seconds: number): string {
  const d = new Date(seconds * 1000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}

/** Time's JSON form: RFC 3339, whole seconds, UTC. */
export function formatTime(seconds: number): string {
  return `${formatRfc3339(seconds)}Z`;
}

/** MicroTime's JSON form: RFC 3339 with exactly six fraction digits, UTC. */
export function formatMicroTime(seconds: number, nanos: number): string {
  return `${formatRfc3339(seconds)}.${pad(Math.floor(nanos / 1000), 6)}Z`;
}

/** Parses an RFC 3339 timestamp; returns undefined when the text is not one. */
export function parseRfc3339(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear takes the year as given.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  let ms = date.getTime();
  const check = new Date(ms);
  if (check.getUTCDate() !== day) return undefined;
  if (sign) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    ms += sign === '+' ? -offset : offset;
  }
  const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
  return { seconds: Math.floor(ms / 1000), nanos };
}
