/**
 * Cron schedules as CronJob accepts them: five fields (minute hour day-of-month month
 * day-of-week) or a descriptor (`@hourly`, `@every 5m`, …). Error texts follow the
 * parser upstream uses, since they reach users verbatim.
 */

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** `@every` schedules: a fixed interval in seconds instead of fields. */
  everySeconds?: number;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Thrown with the parser's message for an invalid schedule. */
export class CronParseError extends Error {}

function parseInt10(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new CronParseError(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${text}`);
  return n;
}

function parseValue(text: string, b: Bounds): number {
  const named = b.names?.[text.toLowerCase()];
  return named ?? parseInt10(text);
}

function parseRange(expr: string, b: Bounds, out: Set<number>): void {
  const stepParts = expr.split('/');
  if (stepParts.length > 2) throw new CronParseError(`too many slashes: ${expr}`);
  const rangeParts = (stepParts[0] ?? '').split('-');
  if (rangeParts.length > 2) throw new CronParseError(`too many hyphens: ${expr}`);
  let start: number;
  let end: number;
  const wildcard = rangeParts[0] === '*' || rangeParts[0] === '?';
  if (wildcard) {
    start = b.min;
    end = b.max;
  } else {
    start = parseValue(rangeParts[0] ?? '', b);
    end = rangeParts.length === 2 ? parseValue(rangeParts[1] ?? '', b) : start;
  }
  let step = 1;
  if (stepParts.length === 2) {
    step = parseInt10(stepParts[1] ?? '');
    // `N/step` means N through the field's maximum.
    if (!wildcard && rangeParts.length === 1) end = b.max;
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
}

function parseField(text: string, b: Bounds): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) parseRange(part, b, out);
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 1);
    consumed = re.lastIndex;
  }
  if (text.length === 0 || consumed !== text.length) {
    throw new CronParseError(`failed to parse duration @every ${text}: time: invalid duration ${JSON.stringify(text)}`);
  }
  return total;
}

/** Parses a schedule; throws {@link CronParseError} with upstream's wording. */
export function parseCronSchedule(spec: string): CronSchedule {
  let trimmed = spec.trim();
  if (trimmed.length === 0) throw new CronParseError('empty spec string');
  // An optional `TZ=zone ` / `CRON_TZ=zone ` prefix selects the time zone.
  const tz = /^(?:CRON_)?TZ=(\S*)\s*/.exec(trimmed);
  if (tz) {
    const zone = tz[1] ?? '';
    if (!isKnownTimeZone(zone)) throw new CronParseError(`provided bad location ${zone}: unknown time zone ${zone}`);
    trimmed = trimmed.slice(tz[0].length);
  }
  if (trimmed.startsWith('@')) {
    if (trimmed.startsWith('@every ')) {
      const seconds = parseDuration(trimmed.slice('@every '.length).trim());
      return { minutes: new Set(), hours: new Set(), daysOfMonth: new Set(), months: new Set(), daysOfWeek: new Set(), everySeconds: Math.max(1, Math.floor(seconds)) };
    }
    const expanded = DESCRIPTORS[trimmed];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${trimmed}`);
    return parseCronSchedule(expanded);
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((f, i) => parseField(f, FIELDS[i] as Bounds)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return { minutes, hours, daysOfMonth, months, daysOfWeek };
}

/** Problems with a schedule as validation messages (empty when valid). */
export function validateCronSchedule(spec: string): string[] {
  try {
    parseCronSchedule(spec);
    return [];
  } catch (err) {
    if (err instanceof CronParseError) return [err.message];
    throw err;
  }
}

/** Whether `zone` names an IANA time zone this runtime knows (`UTC` included). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
