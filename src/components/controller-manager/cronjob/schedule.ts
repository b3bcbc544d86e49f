/**
 * CronJob schedules as upstream reads them (robfig/cron's ParseStandard): five fields
 * (minute hour day-of-month month day-of-week), the macros @yearly/@annually, @monthly,
 * @weekly, @daily/@midnight, @hourly, and `@every <duration>`, evaluated in `spec.timeZone`
 * (an IANA name) or, without one, in the controller's local time zone.
 * Field matching and time-zone arithmetic are cron-parser's.
 */
import { CronExpressionParser } from 'cron-parser';

/** A parsed schedule: the first activation strictly after a time. */
export interface Schedule {
  next(after: Date): Date;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`1h30m`, `90s`, `1.5h`); throws when malformed. */
export function parseGoDuration(text: string): number {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) throw new Error(`time: invalid duration "${text}"`);
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** Whether `tz` names a time zone this runtime knows. */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses `schedule` in time zone `tz` (undefined: local). Throws with the reason when it does not parse. */
export function parseSchedule(schedule: string, tz: string | undefined): Schedule {
  const text = schedule.trim();
  if (text.startsWith('@every ')) {
    const delay = parseGoDuration(text.slice('@every '.length).trim());
    if (delay < 1000) throw new Error('@every duration must be at least one second');
    // As robfig's ConstantDelaySchedule: whole seconds after the given time.
    return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + Math.round(delay / 1000) * 1000) };
  }
  const expr = text.startsWith('@') ? MACROS[text] : text;
  if (expr === undefined) throw new Error(`unrecognized descriptor: ${text}`);
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  // Validate once; each next() parses again from its own starting point.
  CronExpressionParser.parse(expr, { tz });
  return {
    next(after) {
      return CronExpressionParser.parse(expr, { currentDate: after, tz }).next().toDate();
    },
  };
}
