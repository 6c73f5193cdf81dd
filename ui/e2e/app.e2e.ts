// The real app, driven like a user: first start, booking a mentor, a race for one slot,
// a lab manager's blackout over a booking, switching the language, and a big lab's calendar.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, shot, start, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;

async function text(selector: string): Promise<string> {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 15_000 });
  return el.getText();
}

async function click(selector: string) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 15_000 });
  await el.click();
}

async function notice(): Promise<string> {
  return text('[data-testid="notice"]');
}

/** Acts as a person through the header's profile switcher. */
async function actAs(personId: string) {
  const select = await browser.$('[data-testid="profile-switcher"]');
  await select.waitForDisplayed({ timeout: 15_000 });
  await select.selectByAttribute('value', personId);
}

/** Whether an hour from `at` is among the resource's free slots (asked over the days
 * either side, as an overseas mentor's dates are not Shanghai's). */
function freeAt(resourceId: string, at: Date): boolean {
  const day = (offset: number) => new Date(at.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const slots = cli(session.dataDir, ['slots', resourceId, '--from', day(-1), '--to', day(1), '--minutes', '60']) as { start: string }[];
  return slots.some((s) => new Date(s.start).getTime() === at.getTime());
}

/** A founder of the acting founder's makerspace, who may book every mentor this one sees. */
async function anotherFounderOfMySpace(): Promise<string> {
  const me = (await browser.execute(() => (document.querySelector('[data-testid="profile-switcher"]') as HTMLSelectElement).value)) as string;
  const founders = cli(session.dataDir, ['people', '--role', 'founder']) as { id: string; roles: { makerspace_code: string }[] }[];
  const space = founders.find((f) => f.id === me)?.roles[0]?.makerspace_code;
  return founders.find((f) => f.id !== me && f.roles[0]?.makerspace_code === space)?.id ?? '';
}

beforeAll(async () => {
  session = await start();
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
});

describe('Incubook desktop', () => {
  it('offers the sample district on first start, in Chinese', async () => {
    expect(await text('h1')).toBe('欢迎使用众创预约');
    await shot(browser, 'first-start');
    await click('[data-testid="load-sample"]');
    expect(await notice()).toContain('已载入示例');
    await click('[data-testid="start-as-founder"]');
    expect(await text('h1')).toBe('找导师');
    await browser.$('[data-testid="mentor-card"]').waitForDisplayed({ timeout: 15_000 });
    await shot(browser, 'mentors');
  });

  it('a second founder who loses the race for a slot sees why', async () => {
    await click('[data-testid="mentor-card"]');
    const free = await browser.$('.ib-free');
    await free.waitForDisplayed({ timeout: 15_000 });
    await shot(browser, 'mentor-week');
    await free.click();
    const panel = await browser.$('[data-testid="book-panel"]');
    await panel.waitForDisplayed({ timeout: 15_000 });
    const start = await browser.$('[data-testid="book-start"]').getValue();
    const resourceId = await panel.getAttribute('data-resource-id');
    // Another founder books the same slot from the front desk's CLI first.
    const other = await anotherFounderOfMySpace();
    cli(session.dataDir, ['book', resourceId, '--start', start, '--minutes', '60', '--as', other]);
    await browser.$('[data-testid="book-topic"]').setValue('天使轮路演准备');
    await click('[data-testid="book-confirm"]');
    expect(await notice()).toBe('该时段已被预约');
    await browser.$('[data-testid="join-waitlist"]').waitForDisplayed({ timeout: 5_000 });
    await shot(browser, 'slot-taken');
  });

  it('a founder books a mentor slot and sees it under My bookings', async () => {
    await click('[data-testid="nav-mentors"]');
    await click('[data-testid="mentor-card"]');
    const free = await browser.$('.ib-free');
    await free.waitForDisplayed({ timeout: 15_000 });
    await free.click();
    await browser.$('[data-testid="book-topic"]').setValue('商业计划书修改');
    await click('[data-testid="book-confirm"]');
    expect(await notice()).toMatch(/预约成功|已提交预约申请/);
    await click('[data-testid="nav-bookings"]');
    const table = await browser.$('[data-testid="upcoming-bookings"]');
    await table.waitForDisplayed({ timeout: 15_000 });
    await browser.waitUntil(async () => (await table.getText()).includes('商业计划书修改'), { timeout: 10_000 });
    await shot(browser, 'my-bookings');
  });

  it('a founder books a weekly session, sees the time in conflict first, skips it and cancels from one on', async () => {
    await click('[data-testid="nav-mentors"]');
    await click('[data-testid="mentor-card"]');
    const free = await browser.$('.ib-free');
    await free.waitForDisplayed({ timeout: 15_000 });
    await free.click();
    const panel = await browser.$('[data-testid="book-panel"]');
    await panel.waitForDisplayed({ timeout: 15_000 });
    const resourceId = await panel.getAttribute('data-resource-id');
    // Of that day's times, one still free a week and three weeks on: earlier tests and
    // the sample's own bookings (dated from today) may hold some of the weeks ahead.
    const options = await browser.$$('[data-testid="book-start"] option');
    const candidates: string[] = [];
    for (const option of options) candidates.push(await option.getAttribute('value'));
    const start = candidates.find((s) => [7, 21].every((days) => freeAt(resourceId, new Date(new Date(s).getTime() + days * 86_400_000))));
    if (!start) throw new Error(`no time of ${candidates[0]}'s day is free in weeks 2 and 4`);
    await browser.$('[data-testid="book-start"]').selectByAttribute('value', start);
    const other = await anotherFounderOfMySpace();
    // Someone else holds the third week's time.
    const third = new Date(new Date(start).getTime() + 14 * 86_400_000).toISOString();
    cli(session.dataDir, ['book', resourceId, '--start', third, '--minutes', '60', '--as', other]);
    await browser.$('[data-testid="book-topic"]').setValue('每周产品复盘');
    await browser.$('[data-testid="repeat-every"]').selectByAttribute('value', 'weekly');
    await browser.$('[data-testid="repeat-count"]').setValue('4');
    await click('[data-testid="book-confirm"]');
    await browser.$('[data-testid="series-plan"]').waitForDisplayed({ timeout: 15_000 });
    const times = await browser.$$('[data-testid="series-occurrence"]');
    expect(times.length).toBe(4);
    // Every week on the day she picked, as her calendar shows it (the first mentor is in
    // New York, where her morning is the evening before).
    const weekday = new Date(start).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', weekday: 'short' });
    for (const time of times) expect(await time.getText()).toContain(weekday);
    expect(await times[2].getText()).toContain('冲突');
    expect(await text('[data-testid="series-plan"]')).toContain('3 / 4 次可预约，1 次冲突');
    await shot(browser, 'series-preview');
    await click('[data-testid="book-confirm"]');
    expect(await notice()).toBe('已预约 3 次，跳过 1 次。');
    await click('[data-testid="nav-bookings"]');
    const table = await browser.$('[data-testid="upcoming-bookings"]');
    await table.waitForDisplayed({ timeout: 15_000 });
    await browser.waitUntil(async () => (await browser.$$('[data-testid="badge-series"]')).length === 4, { timeout: 10_000 });
    expect(await browser.$('[data-testid="badge-skipped"]').isDisplayed()).toBe(true);
    await shot(browser, 'series-bookings');
    // Cancel the second week and the following ones.
    const rows = await browser.$$('[data-testid="booking-row"]');
    let second = -1;
    let seen = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = await rows[i].getText();
      if (row.includes('每周产品复盘') && !row.includes('已跳过') && ++seen === 2) second = i;
    }
    expect(second).toBeGreaterThan(-1);
    await (await rows[second].$('[data-testid="cancel-booking"]')).click();
    await browser.$('[data-testid="series-scope"]').selectByAttribute('value', 'following');
    await click('[data-testid="cancel-confirm"]');
    expect(await notice()).toContain('取消');
    await browser.waitUntil(async () => {
      let cancelled = 0;
      for (const row of await browser.$$('[data-testid="booking-row"]')) {
        const text = await row.getText();
        if (text.includes('每周产品复盘') && text.includes('已取消')) cancelled++;
      }
      return cancelled === 2;
    }, { timeout: 10_000 });
    await shot(browser, 'series-cancelled');
  });

  it('a founder shows the check-in code and QR of an instrument booking', async () => {
    const me = (await browser.execute(() => (document.querySelector('[data-testid="profile-switcher"]') as HTMLSelectElement).value)) as string;
    const space = (cli(session.dataDir, ['people', '--role', 'founder']) as { id: string; roles: { makerspace_code: string }[] }[])
      .find((f) => f.id === me)?.roles[0]?.makerspace_code ?? 'PD-0001';
    const printer = (cli(session.dataDir, ['equipment', '--category', '3d_printer', '--makerspace', space]) as { id: string }[])[0].id;
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    const slots = cli(session.dataDir, ['slots', printer, '--from', from, '--to', to, '--minutes', '60']) as { start: string }[];
    const booked = cli(session.dataDir, ['book', printer, '--start', slots[0].start, '--minutes', '60', '--as', me]);
    const { code } = cli(session.dataDir, ['check-in-code', booked.id, '--as', me]) as { code: string };
    await click('[data-testid="nav-labs"]');
    await click('[data-testid="nav-bookings"]');
    await click('[data-testid="show-check-in-code"]');
    const shown = await text('[data-testid="check-in-code"]');
    expect(shown).toContain(code);
    expect(await browser.$('[data-testid="check-in-code"] svg').isExisting()).toBe(true);
    await shot(browser, 'check-in-code');
  });

  it('a lab manager adds a blackout and sees the booking it hits', async () => {
    const founders = cli(session.dataDir, ['people', '--role', 'founder', '--makerspace', 'PD-0001']) as { id: string; name: string }[];
    const manager = (cli(session.dataDir, ['people', '--role', 'lab_manager', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
    const printer = (cli(session.dataDir, ['equipment', '--category', '3d_printer', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
    const from = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 13 * 86_400_000).toISOString().slice(0, 10);
    const slots = cli(session.dataDir, ['slots', printer, '--from', from, '--to', to, '--minutes', '60']) as { start: string; end: string }[];
    const booked = cli(session.dataDir, ['book', printer, '--start', slots[0].start, '--minutes', '60', '--as', founders[0].id, '--topic', '样机外壳打印']);
    await actAs(manager);
    await click('[data-testid="nav-blackouts"]');
    await browser.$('[data-testid="blackout-equipment"]').selectByAttribute('value', printer);
    // Times are typed as Shanghai wall-clock text, like a lab manager would.
    const local = (iso: string, minutes: number) => {
      const d = new Date(new Date(iso).getTime() + (8 * 60 + minutes) * 60_000);
      return d.toISOString().slice(0, 16).replace('T', ' ');
    };
    await browser.$('[data-testid="blackout-start"]').setValue(local(booked.start, -30));
    await browser.$('[data-testid="blackout-end"]').setValue(local(booked.end, 30));
    await browser.$('[data-testid="blackout-reason"]').setValue('喷头更换');
    await click('[data-testid="blackout-check"]');
    const hit = await text('[data-testid="blackout-hit"]');
    expect(hit).toContain(founders[0].name);
    await shot(browser, 'blackout-hits');
    await click('[data-testid="blackout-cancel"]');
    expect(await notice()).toContain('取消 1 条');
    const after = cli(session.dataDir, ['bookings', '--as', founders[0].id]) as { id: string; status: string; reason: string }[];
    expect(after.find((b) => b.id === booked.id)?.status).toBe('cancelled');
  });

  it('a lab manager limits how many upcoming bookings one founder may hold', async () => {
    const printer = (cli(session.dataDir, ['equipment', '--category', '3d_printer', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
    await click('[data-testid="nav-equipment-admin"]');
    await click(`[data-testid="edit-equipment-${printer}"]`);
    const cap = await browser.$('[data-testid="person-cap"]');
    await cap.waitForDisplayed({ timeout: 15_000 });
    await cap.setValue('2');
    await shot(browser, 'policy-per-person');
    await click('[data-testid="save-policy"]');
    expect(await notice()).toContain('已保存');
    const saved = cli(session.dataDir, ['equipment', '--category', '3d_printer', '--makerspace', 'PD-0001']) as { id: string; policy: { max_per_person: number | null } }[];
    expect(saved.find((e) => e.id === printer)?.policy.max_per_person).toBe(2);
    await click('[data-testid="nav-blackouts"]');
  });

  it("a lab manager sets an instrument's rates, release rule and register value", async () => {
    const printer = (cli(session.dataDir, ['equipment', '--category', '3d_printer', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
    await click('[data-testid="nav-blackouts"]');
    await click('[data-testid="nav-equipment-admin"]');
    await click(`[data-testid="edit-equipment-${printer}"]`);
    await browser.$('[data-testid="terms-editor"]').waitForDisplayed({ timeout: 15_000 });
    await browser.$('[data-testid="rate-internal"]').setValue('80');
    await browser.$('[data-testid="rate-external"]').setValue('120.5');
    await browser.$('[data-testid="no-show-after"]').setValue('20');
    await browser.$('[data-testid="register-value"]').setValue('560000');
    await click('[data-testid="save-terms"]');
    expect(await notice()).toContain('已保存');
    await browser.$('[data-testid="flag-national"]').waitForDisplayed({ timeout: 15_000 });
    // The list below shows the rates as saved.
    await browser.waitUntil(async () => (await browser.$('body').getText()).includes('本空间 ¥80.00'), { timeout: 10_000 });
    await shot(browser, 'equipment-terms');
    const terms = cli(session.dataDir, ['rates', printer]) as { rates: { internal_fen_per_hour: number; external_fen_per_hour: number }; usage_rules: { no_show_after_min: number } };
    expect([terms.rates.internal_fen_per_hour, terms.rates.external_fen_per_hour, terms.usage_rules.no_show_after_min]).toEqual([8000, 12050, 20]);
    const register = cli(session.dataDir, ['register', printer]) as { original_value_fen: number; national: boolean };
    expect([register.original_value_fen, register.national]).toEqual([56_000_000, true]);
    // A typing mistake in yuan is caught before anything is written.
    await browser.$('[data-testid="rate-internal"]').setValue('8o');
    await click('[data-testid="save-terms"]');
    expect(await notice()).toContain('金额请填写元');
    expect((cli(session.dataDir, ['rates', printer]) as { rates: { internal_fen_per_hour: number } }).rates.internal_fen_per_hour).toBe(8000);
    await shot(browser, 'equipment-rates');
  });

  it("a lab manager sees the lab's weekly hours and its share rate as charts", async () => {
    await click('[data-testid="nav-utilization"]');
    for (const chart of ['chart-weeks', 'chart-share']) {
      await browser.waitUntil(async () => (await browser.$(`[data-testid="${chart}"]`).getAttribute('data-drawn')) === 'yes', { timeout: 15_000 });
    }
    // The canvas has drawn something: not every pixel is blank.
    const inked = await browser.execute(() => {
      const c = document.querySelector('[data-testid="chart-weeks"] canvas') as HTMLCanvasElement;
      const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
      let n = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await shot(browser, 'utilisation-charts');
  });

  it('switching the language turns the screen English', async () => {
    await click('[data-testid="toggle-language"]');
    expect(await text('h1')).toBe('Utilization');
    expect(await text('[data-testid="nav-lab-calendar"]')).toBe('Lab calendar');
    await click('[data-testid="nav-lab-calendar"]');
    await browser.$('[data-testid="lab-timeline"]').waitForDisplayed({ timeout: 15_000 });
    await shot(browser, 'lab-calendar-en');
  });

  it('a lab of many instruments scrolls as one timeline, drawn as it scrolls, and filters them by name', async () => {
    const manager = (cli(session.dataDir, ['people', '--role', 'lab_manager', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
    const rows = ['makerspace_code,lab,name,category,capacity,weekly_hours'];
    for (let i = 1; i <= 60; i++) rows.push(`PD-0001,张江公共技术服务平台,Bench ${i},workstation,1,1-7 08:00-22:00`);
    const csv = join(session.dataDir, 'benches.csv');
    writeFileSync(csv, rows.join('\n'));
    cli(session.dataDir, ['import', 'equipment', csv, '--as', manager]);
    await click('[data-testid="nav-blackouts"]');
    await click('[data-testid="nav-lab-calendar"]');
    const lab = await browser.$('[data-testid="lab-calendar-lab"]');
    await lab.waitForDisplayed({ timeout: 15_000 });
    await lab.selectByVisibleText('张江公共技术服务平台');
    await browser.waitUntil(async () => /(\d+) instruments/.test(await text('[data-testid="lab-calendar-count"]')), { timeout: 10_000 });
    const total = Number(/(\d+) instruments/.exec(await text('[data-testid="lab-calendar-count"]'))?.[1]);
    expect(total).toBeGreaterThanOrEqual(60);
    const rowHeads = async () =>
      (await browser.execute(() => [...document.querySelectorAll('[role="rowheader"]')].map((r) => r.textContent?.trim() ?? ''))) as string[];
    await browser.waitUntil(async () => (await rowHeads()).length > 0, { timeout: 10_000 });
    await shot(browser, 'lab-calendar-timeline');
    const drawn = await rowHeads();
    // Only the rows in view and a little around them are in the page.
    expect(drawn.length).toBeGreaterThanOrEqual(10);
    expect(drawn.length).toBeLessThan(total);
    // Natural order: Bench 2 before Bench 10.
    expect(drawn.indexOf('Bench 2'), drawn.join(', ')).toBeGreaterThan(-1);
    expect(drawn.indexOf('Bench 2')).toBeLessThan(drawn.indexOf('Bench 10'));
    // Scrolled to the end, the last rows are drawn and the first are gone.
    await browser.execute(() => {
      const scroller = document.querySelector('[data-testid="lab-timeline"] .body > div') as HTMLElement;
      scroller.scrollTop = scroller.scrollHeight;
    });
    await browser.waitUntil(async () => !(await rowHeads()).includes('Bench 1'), { timeout: 10_000 });
    expect((await rowHeads()).length).toBeLessThan(total);
    await browser.$('[data-testid="lab-calendar-filter"]').setValue('bench 30');
    await browser.waitUntil(async () => (await rowHeads()).length === 1, { timeout: 10_000 });
    expect(await rowHeads()).toEqual(['Bench 30']);
    await browser.$('[data-testid="lab-calendar-filter"]').setValue('no such instrument');
    expect(await text('[data-testid="lab-calendar-no-match"]')).toContain('No equipment matches');
  });
});
