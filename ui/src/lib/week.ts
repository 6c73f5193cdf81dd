// The Monday-to-Sunday week around a date, as local dates and instants.
import { addDays, localDate } from './format';
import type { Slot } from '../bindings/Slot';

export function mondayOf(date: Date): string {
  const day = localDate(date);
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Local midnight of a YYYY-MM-DD date as an instant (ISO). */
export function midnight(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y, m - 1, d).toISOString();
}

/** Slots that do not overlap, earliest first: what a week grid can show side by side. */
export function nonOverlapping(slots: Slot[]): Slot[] {
  const out: Slot[] = [];
  let lastEnd = '';
  for (const s of [...slots].sort((a, b) => a.start.localeCompare(b.start))) {
    if (!lastEnd || new Date(s.start) >= new Date(lastEnd)) {
      out.push(s);
      lastEnd = s.end;
    }
  }
  return out;
}
