// The lab's kiosk: the real app started with INCUBOOK_KIOSK=1 on the lab PC, its clock pinned
// five minutes before a founder's printer booking. The lab manager sets it up once; then the
// founder checks in with the code on her booking, sees her session running and checks out,
// a third, whose kiosk PIN the lab manager set at a desk, checks in with phone and PIN, and
// another founder walks up to a free instrument with his phone number and PIN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, press, shot, shown, start, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let booking: { id: string; start: string };
let founder: { id: string; name: string };
let walker: { id: string; name: string; phone: string };
let pinUser: { id: string; name: string; phone: string };
let manager: string;
let printer: string;
/** The kiosk's clock at the pinned time, as Shanghai wall-clock HH:MM. */
let clock: string;

const text = async (selector: string) => (await shown(browser, selector)).getText();
const click = (selector: string) => press(browser, selector);

/** Tuesday 2026-12-08, 08:00 in Shanghai: when the sample district is made. */
const LOADED = '2026-12-08T00:00:00Z';

beforeAll(async () => {
  // Filled in by `prepare`, read by `start` once the data is there.
  const env: Record<string, string> = { INCUBOOK_KIOSK: '1' };
  session = await start({
    prepare: (dir) => {
      cli(dir, ['demo'], LOADED);
      manager = (cli(dir, ['people', '--role', 'lab_manager', '--makerspace', 'PD-0001'], LOADED) as { id: string }[])[0].id;
      // The space's admin sees their people's phone numbers.
      const admin = (cli(dir, ['people', '--role', 'space_admin', '--makerspace', 'PD-0001'], LOADED) as { id: string }[])[0].id;
      const founders = cli(dir, ['people', '--role', 'founder', '--makerspace', 'PD-0001', '--as', admin], LOADED) as
        { id: string; name: string; phone: string }[];
      [founder, walker, pinUser] = [founders[0], founders[1], founders[2]];
      printer = (cli(dir, ['equipment', '--category', '3d_printer', '--makerspace', 'PD-0001'], LOADED) as { id: string }[])[0].id;
      const slots = cli(dir, ['slots', printer, '--from', '2026-12-08', '--to', '2026-12-08', '--minutes', '60'], LOADED) as
        { start: string }[];
      // Their kiosk PINs, set by the lab manager at a desk (never at the kiosk).
      for (const who of [pinUser, walker]) cli(dir, ['kiosk-pin', 'set', '4827', '--for', who.id, '--as', manager], LOADED);
      const slot = slots.find((s) => new Date(s.start).getTime() >= new Date(LOADED).getTime() + 3 * 3_600_000) ?? slots[0];
      booking = cli(dir, ['book', printer, '--start', slot.start, '--minutes', '60', '--as', founder.id], LOADED);
      const now = new Date(new Date(booking.start).getTime() - 5 * 60_000);
      env.INCUBOOK_NOW = now.toISOString();
      clock = now.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
    },
    env,
  });
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
});

describe('the lab kiosk', () => {
  it('is set up once by a lab manager for one lab', async () => {
    const select = await browser.$('[data-testid="profile-switcher"]');
    await select.waitForDisplayed({ timeout: 15_000 });
    await select.selectByAttribute('value', manager);
    await browser.$('[data-testid="kiosk"]').waitForDisplayed({ timeout: 15_000 });
    // A kiosk has no menu: it is the check-in screen and nothing else.
    expect(await browser.$('nav').isExisting()).toBe(false);
    await click('[data-testid="kiosk-choose-lab"]');
    await browser.$('[data-testid="kiosk-code"]').waitForDisplayed({ timeout: 15_000 });
    // Nobody at the kiosk can act as someone else.
    expect(await browser.$('[data-testid="profile-switcher"]').isExisting()).toBe(false);
    // The kiosk keeps the app's clock: five minutes before the booking.
    expect(await text('[data-testid="kiosk-clock"]')).toBe(clock);
  });

  it('checks a founder in with the code on her booking, shows her running, and checks her out', async () => {
    const row = `[data-testid="kiosk-row"]`;
    await browser.waitUntil(async () => (await browser.$$(row).length) > 0, { timeout: 15_000 });
    const { code } = cli(session.dataDir, ['check-in-code', booking.id, '--as', founder.id]) as { code: string };
    const wrong = code === '000000' ? '000001' : '000000';
    await browser.$('[data-testid="kiosk-code"]').setValue(wrong);
    await click('[data-testid="kiosk-check-in"]');
    expect(await text('[data-testid="kiosk-message"]')).toContain('没有此签到码的预约');
    await browser.$('[data-testid="kiosk-code"]').setValue(code);
    await click('[data-testid="kiosk-check-in"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes(`${founder.name} 已签到`), { timeout: 15_000 });
    const running = await browser.$('[data-testid="kiosk-row"][data-state="running"]');
    await running.waitForDisplayed({ timeout: 15_000 });
    expect(await running.getText()).toContain(founder.name);
    await shot(browser, 'kiosk');
    const sessions = cli(session.dataDir, ['usage', printer, '--from', '2026-12-08', '--to', '2026-12-08']) as { person_id: string; ended_at: string | null }[];
    expect(sessions.some((s) => s.person_id === founder.id && s.ended_at === null)).toBe(true);
    await click('[data-testid="kiosk-check-out"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes('已签退'), { timeout: 15_000 });
    await browser.$('[data-testid="kiosk-row"][data-state="done"]').waitForDisplayed({ timeout: 15_000 });
  });

  it('checks a founder in with her phone number and the PIN the lab manager set for her', async () => {
    // She booked the printer's next hour this morning, once the first founder was done.
    const hers = cli(session.dataDir, ['book', printer, '--start', booking.start, '--minutes', '60', '--as', pinUser.id], LOADED);
    await click('[data-testid="kiosk-by-pin"]');
    // Nobody at the kiosk sets or resets a PIN.
    expect(await browser.$('[data-testid="kiosk-set-pin"]').isExisting()).toBe(false);
    await browser.$('[data-testid="kiosk-pin-phone"]').setValue(pinUser.phone);
    await browser.$('[data-testid="kiosk-pin"]').setValue('1111');
    await click('[data-testid="kiosk-pin-check-in"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes('手机号或 PIN 不正确'), { timeout: 15_000 });
    await browser.$('[data-testid="kiosk-pin"]').setValue('4827');
    await click('[data-testid="kiosk-pin-check-in"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes(`${pinUser.name} 已签到`), { timeout: 15_000 });
    await shot(browser, 'kiosk-pin');
    const sessions = cli(session.dataDir, ['usage', printer, '--from', '2026-12-08', '--to', '2026-12-08']) as { booking_id: string; ended_at: string | null }[];
    expect(sessions.some((s) => s.booking_id === hers.id && s.ended_at === null)).toBe(true);
    await click('[data-testid="kiosk-check-out"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes('已签退'), { timeout: 15_000 });
    await click('[data-testid="kiosk-by-code"]');
  });

  it('lets a founder walk up to a free instrument with his phone number and PIN', async () => {
    await click('[data-testid="kiosk-walk-up"]:not([disabled])');
    await browser.$('[data-testid="kiosk-phone"]').setValue(walker.phone);
    // A phone number alone starts nothing.
    await browser.$('[data-testid="kiosk-walk-up-pin"]').setValue('1111');
    await click('[data-testid="kiosk-walk-up-start"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes('手机号或 PIN 不正确'), { timeout: 15_000 });
    await browser.$('[data-testid="kiosk-walk-up-pin"]').setValue('4827');
    await click('[data-testid="kiosk-walk-up-start"]');
    await browser.waitUntil(async () => (await text('[data-testid="kiosk-message"]')).includes('已开始使用'), { timeout: 15_000 });
    const mine = cli(session.dataDir, ['bookings', '--as', walker.id]) as { resource_kind: string; status: string }[];
    expect(mine.some((b) => b.resource_kind === 'equipment' && b.status === 'confirmed')).toBe(true);
  });
});
