import { describe, expect, it } from 'vitest';
import { dayShift, inResourceZone } from '../lib/repeat';

const ny = 'America/New_York';
const sh = 'Asia/Shanghai';

describe('a repeat rule picked on the founder’s calendar', () => {
  it('names the New York mentor’s Friday when a Shanghai founder picks Saturday 09:00', () => {
    // Saturday 09:00 in Shanghai is Friday 20:00 in New York.
    const start = '2026-12-05T01:00:00Z';
    expect(dayShift(start, ny, sh)).toBe(-1);
    const rule = inResourceZone({ every: 'weekly', days: ['sat', 'mon'], count: 4, until: null }, start, ny, sh);
    expect(rule.days).toEqual(['fri', 'sun']);
    expect(rule.count).toBe(4);
  });

  it('moves the last date the same way, and leaves a rule in the founder’s own zone as it is', () => {
    const start = '2026-12-05T01:00:00Z';
    const byDate = { every: 'daily' as const, days: [], count: null, until: '2027-01-02' };
    expect(inResourceZone(byDate, start, ny, sh).until).toBe('2027-01-01');
    expect(inResourceZone(byDate, start, sh, sh)).toEqual(byDate);
    expect(inResourceZone({ ...byDate, every: 'weekly', days: ['sun'] }, start, '', sh).days).toEqual(['sun']);
  });

  it('wraps Sunday to Monday when the mentor is a day ahead', () => {
    // Sunday 22:00 in Shanghai is Monday 01:00 in Sydney (summer time there).
    const start = '2026-12-06T14:00:00Z';
    expect(dayShift(start, 'Australia/Sydney', sh)).toBe(1);
    expect(inResourceZone({ every: 'weekly', days: ['sun'], count: 2, until: null }, start, 'Australia/Sydney', sh).days).toEqual(['mon']);
  });
});
