// Dates and times in the user's time zone, on a 24-hour clock; Chinese date forms in zh-CN.
import type { Language } from './i18n.svelte';

export function formatDate(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone, year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(iso));
}

export function formatTime(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** "2026年12月8日周二 09:00": when something happened. */
export function formatMoment(iso: string, lang: Language, timeZone?: string): string {
  return `${formatDate(iso, lang, timeZone)} ${formatTime(iso, lang, timeZone)}`;
}

/** "2026年12月8日周二 09:00–10:00" or "Tue, December 8, 2026 09:00–10:00". */
export function formatSpan(start: string, end: string, lang: Language, timeZone?: string): string {
  const sameDay = localDate(start, timeZone) === localDate(end, timeZone);
  const endText = sameDay ? formatTime(end, lang, timeZone) : `${formatDate(end, lang, timeZone)} ${formatTime(end, lang, timeZone)}`;
  return `${formatDate(start, lang, timeZone)} ${formatTime(start, lang, timeZone)}–${endText}`;
}

/** YYYY-MM-DD of an instant in the zone (the user's zone when absent). */
export function localDate(iso: string | Date, timeZone?: string): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Minutes of the day as "HH:MM" and back. */
export function minutesToClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function clockToMinutes(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  if (h > 24 || m > 59 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

/** Yuan from cents, e.g. "¥120.00". */
export function yuan(cents: number): string {
  return `¥${(cents / 100).toFixed(2)}`;
}

/** An instrument's hourly rates per class of user, as its lists show them. */
export function ratesText(rates: { internal_fen_per_hour: number; external_fen_per_hour: number; enterprise_fen_per_hour: number }, t: (key: string) => string): string {
  return [
    `${t('labs.rateInternal')} ${yuan(rates.internal_fen_per_hour)}`,
    `${t('labs.rateExternal')} ${yuan(rates.external_fen_per_hour)}`,
    `${t('labs.rateEnterprise')} ${yuan(rates.enterprise_fen_per_hour)}`,
  ].join(' · ');
}

/** Fen as yuan for an input ("120.50"), exactly: integer arithmetic, no floating point. */
export function yuanText(fen: number): string {
  const whole = Math.trunc(fen / 100);
  const cents = Math.abs(fen % 100);
  return `${whole}.${String(cents).padStart(2, '0')}`;
}

/** Yuan as typed ("120", "99.5", "0.01") in fen, exactly; null when it is not an amount. */
export function fenOf(text: string): number | null {
  const m = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
