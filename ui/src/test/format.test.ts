import { describe, expect, it } from 'vitest';
import { addDays, clockToMinutes, formatSpan, localDate, minutesToClock, yuan, fenOf, yuanText } from '../lib/format';
import { nonOverlapping } from '../lib/week';

describe('format', () => {
  it('writes Chinese dates and a 24-hour clock in zh-CN', () => {
    const text = formatSpan('2026-12-08T06:00:00Z', '2026-12-08T07:30:00Z', 'zh-CN', 'Asia/Shanghai');
    expect(text).toContain('2026年12月8日');
    expect(text).toContain('14:00–15:30');
  });

  it('writes English dates with the same 24-hour clock', () => {
    const text = formatSpan('2026-12-08T06:00:00Z', '2026-12-08T07:30:00Z', 'en', 'Asia/Shanghai');
    expect(text).toContain('December 8, 2026');
    expect(text).toContain('14:00–15:30');
  });

  it('shows the end date when a booking runs past midnight', () => {
    const text = formatSpan('2026-12-08T15:00:00Z', '2026-12-08T17:00:00Z', 'en', 'Asia/Shanghai');
    expect(text).toContain('December 9');
  });

  it('takes the local date in the zone, not in UTC', () => {
    expect(localDate('2026-12-07T17:00:00Z', 'Asia/Shanghai')).toBe('2026-12-08');
    expect(localDate('2026-12-07T17:00:00Z', 'UTC')).toBe('2026-12-07');
  });

  it('adds days across month ends', () => {
    expect(addDays('2026-12-29', 7)).toBe('2027-01-05');
  });

  it('reads and writes clock times', () => {
    expect(clockToMinutes('09:30')).toBe(570);
    expect(clockToMinutes('24:00')).toBe(1440);
    expect(clockToMinutes('25:00')).toBeNull();
    expect(clockToMinutes('9点')).toBeNull();
    expect(minutesToClock(570)).toBe('09:30');
  });

  it('shows yuan from cents', () => {
    expect(yuan(12050)).toBe('¥120.50');
  });

  it('keeps only slots that can stand side by side', () => {
    const s = (a: string, b: string) => ({ start: `2026-12-08T${a}:00Z`, end: `2026-12-08T${b}:00Z`, late: false });
    expect(nonOverlapping([s('01:00', '02:00'), s('01:30', '02:30'), s('02:00', '03:00')])).toEqual([s('01:00', '02:00'), s('02:00', '03:00')]);
  });

  it('turns typed yuan into fen exactly and back', () => {
    expect(fenOf('120')).toBe(12000);
    expect(fenOf('99.5')).toBe(9950);
    expect(fenOf('0.01')).toBe(1);
    expect(fenOf('0.29')).toBe(29);
    for (const bad of ['', '-1', '1.234', '1e3', '¥5']) expect(fenOf(bad)).toBeNull();
    expect(yuanText(12345)).toBe('123.45');
    expect(yuanText(5)).toBe('0.05');
  });
});
