// One resource's week as the booking screens show it: its bookable slots, and calendar
// items for the free slots (side by side), the viewer's own bookings and everyone else's "busy".
import { api } from './api';
import { addDays } from './format';
import { t } from './i18n.svelte';
import { midnight, nonOverlapping } from './week';
import type { CalendarItem } from '../components/WeekCalendar.svelte';
import type { Slot } from '../bindings/Slot';

export async function resourceWeek(resourceId: string, monday: string, minutes: number): Promise<{ slots: Slot[]; items: CalendarItem[] }> {
  const slots = await api.resourceSlots(resourceId, monday, addDays(monday, 6), minutes);
  const busy = await api.resourceCalendar(resourceId, midnight(monday), midnight(addDays(monday, 7)));
  const items: CalendarItem[] = [
    ...nonOverlapping(slots).map((s, i) => ({ id: `free-${i}`, start: new Date(s.start), end: new Date(s.end), title: t('calendar.free'), kind: 'free' as const })),
    ...busy.map((b, i) => ({
      id: `busy-${i}`,
      start: new Date(b.start),
      end: new Date(b.end),
      title: b.booking ? t('calendar.mine') : t('calendar.busy'),
      kind: b.booking ? ('mine' as const) : ('busy' as const),
    })),
  ];
  return { slots, items };
}
