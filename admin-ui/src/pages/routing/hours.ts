// Business hours (server/internal/hours) on the client: the editor's defaults, the
// clean-up before saving, the same checks the server makes (so a mistake shows before
// a round trip, at the same place), and the words for a problem at a JSON path such
// as "weekly.mon[0].start" or "holidays[2].date" — the paths the server's
// request.invalid errors name (after "hours." or "settings.hours.").
import type { TFunction } from 'i18next';
import { DAYS, MAX_HOLIDAY_NAME, MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, type BusinessHours, type Day, type HoursInterval } from '../../api/routing';
import { runeLength } from '../../lib/rules';

export type Hours = NonNullable<BusinessHours>;
export type Holiday = NonNullable<Hours['holidays']>[number];
export type Week = Hours['weekly'];

export const MINUTES_PER_DAY = 24 * 60;
const CLOCK_RE = /^(\d{1,2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The hours a schedule starts with: Monday to Friday 09:00–18:00. */
export function defaultHours(timeZone: string): Hours {
  const day = () => [{ start: '09:00', end: '18:00' }];
  return { time_zone: timeZone, weekly: { mon: day(), tue: day(), wed: day(), thu: day(), fri: day() } };
}

/** "HH:MM" (or "H:MM") as minutes after midnight; 24:00 is 1440. null: not a time. */
export function parseClock(s: string | undefined): number | null {
  const m = CLOCK_RE.exec((s ?? '').trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

/** A strict YYYY-MM-DD calendar date. */
export function validDate(s: string | undefined): boolean {
  const m = DATE_RE.exec((s ?? '').trim());
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The interval ends on the next day (end at or before start; 24:00 does not). */
export function overnight(iv: HoursInterval): boolean {
  const s = parseClock(iv.start);
  const e = parseClock(iv.end);
  return s !== null && e !== null && s < MINUTES_PER_DAY && e !== s && e < s;
}

export function dayIntervals(h: Hours, d: Day): HoursInterval[] {
  return h.weekly[d] ?? [];
}

function cleanIntervals(list: HoursInterval[] | undefined): HoursInterval[] {
  return (list ?? []).map((iv) => ({ start: iv.start.trim(), end: iv.end.trim() }));
}

/**
 * The value to save: strings trimmed, closed days and empty names left out (as the
 * server stores them), so an untouched schedule goes back exactly as it came.
 */
export function cleanHours(h: BusinessHours | undefined): BusinessHours {
  if (!h) return null;
  const weekly: Week = {};
  for (const d of DAYS) {
    const list = cleanIntervals(h.weekly?.[d]);
    if (list.length) weekly[d] = list;
  }
  const out: Hours = { time_zone: h.time_zone.trim(), weekly };
  const holidays = (h.holidays ?? []).map((x) => {
    const o: Holiday = { date: x.date.trim() };
    const name = x.name?.trim();
    if (name) o.name = name;
    if (x.intervals && x.intervals.length) o.intervals = cleanIntervals(x.intervals);
    return o;
  });
  if (holidays.length) out.holidays = holidays;
  return out;
}

export type ProblemKind =
  | 'zone'
  | 'start'
  | 'end'
  | 'same'
  | 'overlap'
  | 'tooManyIntervals'
  | 'tooManyHolidays'
  | 'date'
  | 'dateTwice'
  | 'name'
  | 'invalid';

/** A problem at a path relative to the hours object ("weekly.mon[1].end"). */
export interface Problem {
  path: string;
  kind: ProblemKind;
}

function checkDay(field: string, ivs: HoursInterval[] | undefined, out: Problem[]) {
  const list = ivs ?? [];
  if (list.length > MAX_INTERVALS_PER_DAY) out.push({ path: field, kind: 'tooManyIntervals' });
  const spans: ({ start: number; end: number } | null)[] = list.map((iv, i) => {
    const f = `${field}[${i}]`;
    const start = parseClock(iv.start);
    const end = parseClock(iv.end);
    let ok = true;
    if (start === null || start === MINUTES_PER_DAY) {
      out.push({ path: `${f}.start`, kind: 'start' });
      ok = false;
    }
    if (end === null) {
      out.push({ path: `${f}.end`, kind: 'end' });
      ok = false;
    } else if (ok && end === start) {
      out.push({ path: `${f}.end`, kind: 'same' });
      ok = false;
    }
    if (!ok) return null;
    return { start: start!, end: end! < start! ? end! + MINUTES_PER_DAY : end! };
  });
  if (spans.some((s) => s === null)) return;
  // In start order, blaming the later-listed of two that overlap (as the server does).
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start || a - b);
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1]!;
    const b = order[k]!;
    if (spans[a]!.end > spans[b]!.start) out.push({ path: `${field}[${Math.max(a, b)}]`, kind: 'overlap' });
  }
}

/** Every problem of a schedule, in the order the server reports the first one. */
export function checkHours(h: BusinessHours | undefined): Problem[] {
  const out: Problem[] = [];
  if (!h) return out;
  if (!h.time_zone?.trim()) out.push({ path: 'time_zone', kind: 'zone' });
  for (const d of DAYS) checkDay(`weekly.${d}`, h.weekly?.[d], out);
  const holidays = h.holidays ?? [];
  if (holidays.length > MAX_HOLIDAYS) out.push({ path: 'holidays', kind: 'tooManyHolidays' });
  const seen = new Map<string, number>();
  holidays.forEach((x, i) => {
    const f = `holidays[${i}]`;
    const date = x.date.trim();
    if (!validDate(date)) out.push({ path: `${f}.date`, kind: 'date' });
    else if (seen.has(date)) out.push({ path: `${f}.date`, kind: 'dateTwice' });
    else seen.set(date, i);
    if (runeLength(x.name ?? '') > MAX_HOLIDAY_NAME) out.push({ path: `${f}.name`, kind: 'name' });
    checkDay(`${f}.intervals`, x.intervals, out);
  });
  return out;
}

/** What a server error's field (relative to the hours) is about. */
export function kindOfPath(path: string): ProblemKind {
  if (path === 'time_zone') return 'zone';
  if (path === 'holidays') return 'tooManyHolidays';
  if (/\.start$/.test(path)) return 'start';
  if (/\.end$/.test(path)) return 'end';
  if (/\.date$/.test(path)) return 'date';
  if (/\.name$/.test(path)) return 'name';
  if (/\]$/.test(path) && /(weekly\.\w+|intervals)\[\d+\]$/.test(path)) return 'overlap';
  if (/^weekly\.\w+$/.test(path) || /\.intervals$/.test(path)) return 'tooManyIntervals';
  return 'invalid';
}

/** Where a path points, in words: "Monday, interval 2", "Holiday 3 (2026-10-01), interval 1". */
export function placeOf(t: TFunction, path: string, h?: BusinessHours): string {
  const day = /^weekly\.(\w+)(?:\[(\d+)\])?/.exec(path);
  if (day) {
    const name = t(`hours.days.${day[1]}`, { defaultValue: day[1] });
    return day[2] !== undefined ? t('hours.place.interval', { day: name, n: Number(day[2]) + 1 }) : name;
  }
  const hol = /^holidays\[(\d+)\](?:\.intervals(?:\[(\d+)\])?)?/.exec(path);
  if (hol) {
    const i = Number(hol[1]);
    const date = h?.holidays?.[i]?.date?.trim();
    const name = date ? t('hours.place.holidayDated', { n: i + 1, date }) : t('hours.place.holiday', { n: i + 1 });
    return hol[2] !== undefined ? t('hours.place.interval', { day: name, n: Number(hol[2]) + 1 }) : name;
  }
  if (path === 'time_zone') return t('hours.timeZone');
  if (path === 'holidays') return t('hours.holidays');
  return t('hours.title');
}

/** A problem as one sentence naming its place. */
export function problemText(t: TFunction, p: Problem, h?: BusinessHours): string {
  const what = t(`hours.problems.${p.kind}`, {
    maxIntervals: MAX_INTERVALS_PER_DAY,
    maxHolidays: MAX_HOLIDAYS,
    maxName: MAX_HOLIDAY_NAME,
  });
  if (p.kind === 'zone' || p.kind === 'tooManyHolidays' || p.kind === 'invalid') return what;
  return t('hours.problemAt', { place: placeOf(t, p.path, h), problem: what });
}

/** Whether an input at path (…[i].start, …[i].end, …date, …name) shows as invalid for a problem at p. */
export function problemTouches(p: string, input: string): boolean {
  if (p === input) return true;
  // An overlap names the interval: both its times are marked; a day's or a holiday's
  // list (too many) marks every interval in it.
  return input.startsWith(`${p}.`) || input.startsWith(`${p}[`);
}

/** A Form.Item rule: the first problem, as a sentence naming its place. */
export function hoursRule(t: TFunction) {
  return {
    validator: (_r: unknown, v: BusinessHours | undefined) => {
      const p = checkHours(v)[0];
      return p ? Promise.reject(new Error(problemText(t, p, v))) : Promise.resolve();
    },
  };
}

/** The sentence for a server error about the hours (path relative to them). */
export function serverProblemText(t: TFunction, path: string, h?: BusinessHours): string {
  return problemText(t, { path, kind: kindOfPath(path) }, h);
}
