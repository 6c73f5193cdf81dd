// What the whole UI shares: who is acting, where we are, and the last message shown.
import type { Person } from '../bindings/Person';
import type { Role } from '../bindings/Role';
import { isIpcError } from './api';
import { t } from './i18n.svelte';

export type Screen =
  | { name: 'start' }
  | { name: 'mentors' }
  | { name: 'mentor'; id: string; from?: string }
  | { name: 'labs' }
  | { name: 'equipment'; id: string }
  | { name: 'bookings' }
  | { name: 'availability' }
  | { name: 'requests' }
  | { name: 'sessions' }
  | { name: 'equipment-admin' }
  | { name: 'blackouts' }
  | { name: 'qualifications' }
  | { name: 'lab-calendar' }
  | { name: 'utilization' }
  | { name: 'people' }
  | { name: 'startups' }
  | { name: 'calls' }
  | { name: 'events' }
  | { name: 'reports' }
  | { name: 'district' }
  | { name: 'import' }
  | { name: 'notices' }
  | { name: 'settings' }
  | { name: 'kiosk' };

export const app = $state({
  profile: null as Person | null,
  screen: { name: 'start' } as Screen,
  notice: null as { kind: 'ok' | 'error'; text: string } | null,
  /** Signed in to the district server as a district operator: the district's figures are theirs. */
  districtOperator: false,

});

export function hasRole(role: Role): boolean {
  return app.profile?.roles.some((r) => r.role === role) ?? false;
}

export function go(screen: Screen) {
  app.screen = screen;
  app.notice = null;
}

export function ok(text: string) {
  app.notice = { kind: 'ok', text };
}

/** Shows a failure: the core's typed reason in the user's language, never a stack trace. */
export function fail(e: unknown) {
  const text = isIpcError(e) ? e.message : t('error.unexpected');
  app.notice = { kind: 'error', text };
}

/** The acting person works for the district: calls and intake are theirs. */
export function takesIntake(): boolean {
  return app.profile?.district_operator ?? false;
}
