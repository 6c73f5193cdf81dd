// A repeat rule as the person picks it — days and dates of their own calendar — turned
// into the rule the core keeps, in the resource's zone: an overseas mentor's Friday
// evening is a Shanghai founder's Saturday morning, so "every Saturday" for her is
// "every Friday" in New York.
import { addDays, localDate } from './format';
import type { Day } from '../bindings/Day';
import type { Repeat } from '../bindings/Repeat';

export const weekDays: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** How many days `zone`'s date is ahead of the viewer's at this instant (−1, 0 or 1). */
export function dayShift(iso: string, zone: string, viewerZone?: string): number {
  if (!zone) return 0;
  const days = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  return days(localDate(iso, zone)) - days(localDate(iso, viewerZone));
}

/** The viewer's rule for a first occurrence at `start`, in the resource's `zone` ('' = the viewer's). */
export function inResourceZone(rule: Repeat, start: string, zone: string, viewerZone?: string): Repeat {
  const shift = dayShift(start, zone, viewerZone);
  return {
    ...rule,
    days: rule.days.map((d) => weekDays[(weekDays.indexOf(d) + shift + 7) % 7]),
    until: rule.until === null ? null : addDays(rule.until, shift),
  };
}
