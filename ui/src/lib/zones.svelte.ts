// Times across zones, as the UI shows them: the viewer's own clock (the machine's zone),
// and the counterpart's when it tells another wall-clock time. Zone names come from the
// core (`zones` command), so the desktop, CLI and exports name a city alike.
import { api } from './api';
import { formatTime } from './format';
import type { Language } from './i18n.svelte';
import type { ZoneName } from '../bindings/ZoneName';

export const zoneNames = $state<{ list: ZoneName[] }>({ list: [] });
let loading: Promise<void> | null = null;

export function loadZones(): Promise<void> {
  loading ??= api.zones().then((list) => { zoneNames.list = list; }).catch(() => { loading = null; });
  return loading;
}

export function zoneLabel(zone: string, lang: Language): string {
  const known = zoneNames.list.find((z) => z.zone === zone);
  if (known) return lang === 'zh-CN' ? known.zh : known.en;
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

function wallClock(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** Whether the zone's clock shows another time than the viewer's for this instant. */
export function differs(iso: string, zone: string): boolean {
  return wallClock(iso, zone) !== wallClock(iso);
}

/** "周二 08:00（纽约）" / "Tue 08:00 (New York)": the instant in `zone`, or '' when the viewer's clock shows the same. */
export function otherZoneTime(iso: string, zone: string, lang: Language): string {
  if (!zone || !differs(iso, zone)) return '';
  const day = new Intl.DateTimeFormat(lang, { timeZone: zone, weekday: 'short' }).format(new Date(iso));
  const city = zoneLabel(zone, lang);
  const time = formatTime(iso, lang, zone);
  return lang === 'zh-CN' ? `${day} ${time}（${city}）` : `${day} ${time} (${city})`;
}
