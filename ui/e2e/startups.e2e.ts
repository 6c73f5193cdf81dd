// Startups and overseas mentors, in the real app: a founder sees the startup record the sample
// gave her, books the district's New York mentor and sees her own time and the mentor's
// (and whether it is late for her); a space admin registers a company, refused first for a
// mistyped credit code that names the bad character.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, press, shot, shown, start, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let founder: string;
let admin: string;
let startupName: string;
let mentorName: string;
let mentorPerson: string;
// A mentor of PD-0001, in the district's zone.
let homeMentor: string;
// A mentor of PD-0001 with a session of the past week they have not rated yet.
let ratingMentor = '';
// A mentor of the district with office hours the founder has no seat in.
let officeMentor: { id: string; name: string } | null = null;

const text = async (selector: string) => (await shown(browser, selector)).getText();
const click = (selector: string) => press(browser, selector);

async function notice(): Promise<string> {
  return text('[data-testid="notice"]');
}

/** Waits for the notice to say `wanted`: right after another notice, the old one may still show. */
async function noticeSays(wanted: string) {
  await browser.waitUntil(async () => (await notice()).includes(wanted), { timeout: 10_000, timeoutMsg: `notice never said ${wanted}` });
}

async function actAs(personId: string) {
  const select = await shown(browser, '[data-testid="profile-switcher"]');
  await select.selectByAttribute('value', personId);
}

beforeAll(async () => {
  session = await start({
    prepare: (dir) => {
      cli(dir, ['demo']);
      founder = (cli(dir, ['people', '--role', 'founder', '--makerspace', 'PD-0001']) as { id: string }[])[0].id;
      admin = (cli(dir, ['people', '--role', 'space_admin', '--makerspace', 'PD-0002']) as { id: string }[])[0].id;
      const homeMentors = cli(dir, ['people', '--role', 'mentor', '--makerspace', 'PD-0001']) as { id: string }[];
      homeMentor = homeMentors[0].id;
      // A session of the past week for a home mentor to rate, booked with the CLI's clock
      // set back four days: the sample's own past sessions are too few to count on in every
      // week (on a Monday none of PD-0001's had ended unrated).
      const day = 86_400_000;
      const then = new Date(Date.now() - 4 * day).toISOString();
      const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const home = (cli(dir, ['mentors', '--as', founder]) as { id: string; person_id: string; makerspace_code: string }[])
        .filter((m) => m.makerspace_code === 'PD-0001');
      for (const m of home) {
        const slots = cli(dir, ['slots', m.id, '--from', date(Date.now() - 4 * day), '--to', date(Date.now()), '--minutes', '60'], then) as { start: string; end: string }[];
        const past = slots.find((s) => new Date(s.end).getTime() < Date.now() - 3_600_000);
        if (!past) continue;
        const booked = cli(dir, ['book', m.id, '--start', past.start, '--minutes', '60', '--as', founder, '--topic', '商业计划书打磨'], then) as { id: string; status: string };
        if (booked.status === 'requested') cli(dir, ['approve', booked.id, '--as', m.person_id], then);
        ratingMentor = m.person_id;
        break;
      }
      const startups = cli(dir, ['startups', 'list']) as { name: string; members: { person_id: string }[] }[];
      startupName = startups.find((s) => s.members.some((m) => m.person_id === founder))?.name ?? '';
      const overseas = cli(dir, ['mentors', '--text', '海外导师', '--as', founder]) as { name: string; timezone: string; person_id: string }[];
      const newYork = overseas.find((m) => m.timezone === 'America/New_York');
      mentorName = newYork?.name ?? '';
      mentorPerson = newYork?.person_id ?? '';
      const blocks = cli(dir, ['office-hours', 'list', '--as', founder]) as {
        resource_id: string; mentor_name: string; kind: string; my_seat: number | null; held: number[]; capacity: number;
      }[];
      const open = blocks.find((b) => b.kind === 'office_hours' && b.my_seat === null && b.held.length < b.capacity);
      if (open) officeMentor = { id: open.resource_id, name: open.mentor_name };
    },
  });
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
});

describe('startups and overseas mentors', () => {
  it('shows a founder the startup she is a member of', async () => {
    expect(startupName).not.toBe('');
    await actAs(founder);
    await click('[data-testid="nav-startups"]');
    expect(await text('[data-testid="my-startup"]')).toContain(startupName);
  });

  it('matches mentors to her need with each score’s parts, and books the suggested slot in one click', async () => {
    await click('[data-testid="nav-mentors"]');
    await click('[data-testid="match-tag-fundraising"]');
    await click('[data-testid="match-find"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="match-row"]').length) > 0, { timeout: 20_000 });
    const rows = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="match-row"]')].map((r) => r.textContent ?? ''),
    )) as string[];
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(rows[0]).toContain('专长');
    await shot(browser, 'matching');
    await (await browser.$$('[data-testid="match-book"]'))[0].click();
    expect(await notice()).toMatch(/预约成功|已提交/);
  });

  it('books the New York mentor online; once he confirms she sees her time, his, and his Zoom link', async () => {
    expect(mentorName).not.toBe('');
    await actAs(founder);
    await click('[data-testid="nav-mentors"]');
    await (await shown(browser, '[data-testid="filter-text"]')).setValue('海外导师');
    await click('[data-testid="search-mentors"]');
    await browser.waitUntil(
      async () => {
        const names = (await browser.execute(() =>
          [...document.querySelectorAll('[data-testid="mentor-card"]')].map((c) => c.textContent ?? ''),
        )) as string[];
        return names.some((n) => n.includes(mentorName));
      },
      { timeout: 20_000 },
    );
    const index = (await browser.execute(
      (name: string) => [...document.querySelectorAll('[data-testid="mentor-card"]')].findIndex((c) => (c.textContent ?? '').includes(name)),
      mentorName,
    )) as number;
    await (await browser.$$('[data-testid="mentor-card"]'))[index].click();
    expect(await text('[data-testid="mentor-zone"]')).toContain('纽约');
    // Next week: this week's late slots may all be past by the time the test runs.
    await shown(browser, '.ib-free');
    await click('[data-testid="calendar"] .ec-next');
    await browser.waitUntil(
      async () =>
        (await browser.execute(() =>
          [...document.querySelectorAll('[data-testid="calendar"] .ib-free')].some((e) => e.getBoundingClientRect().height > 0),
        )) as boolean,
      { timeout: 20_000 },
    );
    const free = await shown(browser, '.ib-free');
    // His hours run past Shanghai's 22:00 (to 23:00 or midnight, as New York keeps summer time
    // or not): the grid grows to show the 22:00 hour rather than cut it off.
    const axis = (await browser.execute(() => [...document.querySelectorAll('[data-testid="calendar"] .ec-sidebar *')].map((e) => (e.textContent ?? '').trim()))) as string[];
    expect(axis).toContain('22:00');
    await shot(browser, 'mentor-week-overseas');
    await free.click();
    await shown(browser, '[data-testid="book-panel"]');
    // The latest start of that day: New York's morning is Shanghai's night.
    const starts = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="book-start"] option')].map((o) => (o as HTMLOptionElement).value),
    )) as string[];
    const latest = starts[starts.length - 1];
    await (await browser.$('[data-testid="book-start"]')).selectByAttribute('value', latest);
    const theirs = await text('[data-testid="book-counterpart-time"]');
    const ny = new Date(latest).toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(theirs).toContain(`${ny}（纽约）`);
    const shanghaiEnd = new Date(new Date(latest).getTime() + 60 * 60_000);
    const endHour = Number(shanghaiEnd.toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hourCycle: 'h23' }));
    const lateForHer = endHour > 22 || endHour < 8;
    expect(await browser.$('[data-testid="book-late"]').isExisting()).toBe(lateForHer);
    await shot(browser, 'overseas-mentor-booking');
    await (await browser.$('[data-testid="book-topic"]')).setValue('出海融资咨询');
    await click('[data-testid="book-confirm"]');
    // He meets online only and confirms each session: until then the Zoom room is not hers.
    expect(await notice()).toBe('已提交预约申请，等待确认。');
    const zoomLinks = async () =>
      (await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="join-url"]')].filter((e) => (e.textContent ?? '').startsWith('https://zoom.us/j/')).length,
      )) as number;
    await click('[data-testid="nav-bookings"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="place-after-confirmation"]').length) > 0, { timeout: 20_000 });
    expect(await text('[data-testid="place-after-confirmation"]')).toBe('导师确认后显示会议信息');
    const before = await zoomLinks();

    // The mentor, in New York, sees where they will meet while deciding, and confirms.
    await actAs(mentorPerson);
    await click('[data-testid="nav-requests"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="request-row"]').length) > 0, { timeout: 20_000 });
    const row = (await browser.execute(
      () => [...document.querySelectorAll('[data-testid="request-row"]')].findIndex((r) => (r.textContent ?? '').includes('出海融资咨询')),
    )) as number;
    expect(row).toBeGreaterThanOrEqual(0);
    const request = (await browser.$$('[data-testid="request-row"]'))[row];
    expect(await request.getText()).toContain('zoom.us');
    expect(await request.getText()).toContain(startupName);
    await (await request.$('[data-testid="request-approve"]')).click();
    expect(await notice()).toContain('已');

    await actAs(founder);
    await click('[data-testid="nav-bookings"]');
    await browser.waitUntil(async () => (await zoomLinks()) > before, { timeout: 20_000, timeoutMsg: 'the Zoom link never showed' });
    const shownTimes = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="counterpart-time"]')].map((e) => e.textContent ?? ''),
    )) as string[];
    expect(shownTimes.some((s) => s.includes(`${ny}（纽约）`))).toBe(true);
    await shot(browser, 'online-session-confirmed');
    await shot(browser, 'overseas-booking-list');
  });

  it('lets a space admin register a company, refusing a mistyped credit code by its character', async () => {
    await actAs(admin);
    await click('[data-testid="nav-startups"]');
    await (await shown(browser, '[data-testid="startup-name"]')).setValue('光年智能');
    await (await browser.$('[data-testid="startup-kind"]')).selectByAttribute('value', 'enterprise');
    await (await browser.$('[data-testid="startup-code"]')).setValue('9131011OMA1K4PXX0T');
    await click('[data-testid="save-startup"]');
    expect(await notice()).toContain('第 8 位');
    await (await browser.$('[data-testid="startup-code"]')).setValue('91310115MA1K4PXX0T');
    // A space admin is no founder: the startup needs a lead of their makerspace.
    await click('[data-testid="save-startup"]');
    expect(await notice()).toContain('负责人须为创业者');
    await (await browser.$('[data-testid="startup-lead"]')).selectByIndex(1);
    await click('[data-testid="save-startup"]');
    await noticeSays('已保存');
    await browser.waitUntil(async () => (await text('[data-testid="startup-list"]')).includes('91310115MA1K4PXX0T'), { timeout: 20_000 });
    // Registered by PD-0002's admin, it moved in there today.
    const row = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="startup-list"] tr')].map((r) => r.textContent ?? '').find((r) => r.includes('光年智能')),
    )) as string;
    expect(row).toContain('91310115MA1K4PXX0T');
    expect(row).toMatch(/\d{4}-\d{2}-\d{2}/);
    await (await browser.$('[data-testid="startup-list"]')).scrollIntoView();
    await shot(browser, 'startups');
  });

  it('gives the new company ten mentor hours for the quarter and tops them up with a reason', async () => {
    const index = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="startup-list"] tbody tr')].findIndex((r) => (r.textContent ?? '').includes('光年智能')),
    )) as number;
    const row = (await browser.$$('[data-testid="startup-list"] tbody tr'))[index];
    await (await row.$('[data-testid="startup-hours"]')).click();
    await (await shown(browser, '[data-testid="allocate-hours"]')).setValue('10');
    await click('[data-testid="allocate"]');
    expect(await notice()).toBe('已分配导师时长');
    await browser.waitUntil(async () => (await text('[data-testid="hour-balance"]')).includes('剩余 10.0 / 10.0 小时'), { timeout: 20_000 });
    await click('[data-testid="top-up"]');
    await click('[data-testid="top-up-save"]');
    expect(await notice()).toContain('reason');
    await (await browser.$('[data-testid="top-up-reason"]')).setValue('路演前加急辅导');
    await click('[data-testid="top-up-save"]');
    await noticeSays('已追加，原因已记录');
    await browser.waitUntil(async () => (await text('[data-testid="hour-balance"]')).includes('/ 12.0 小时'), { timeout: 20_000 });
    await (await browser.$('[data-testid="hour-balance"]')).scrollIntoView({ block: 'center' });
    await shot(browser, 'startup-hours');
  });

  it('shows the makerspace’s yearly figures against the floors it files them by', async () => {
    await click('[data-testid="nav-reports"]');
    await shown(browser, '[data-testid="year-figures"]');
    await browser.waitUntil(async () => (await text('[data-testid="year-activities"]')).endsWith('/10'), { timeout: 20_000 });
    expect(Number(await text('[data-testid="year-mentors"]'))).toBeGreaterThan(0);
    expect((await browser.$$('[data-testid="year-mentor-rows"] tbody tr')).length).toBeGreaterThan(0);
    await shot(browser, 'year-figures');
  });
});

describe('events of the district', () => {
  it('a space admin publishes a roadshow; a founder of another makerspace takes its one place', async () => {
    await click('[data-testid="nav-events"]');
    await (await shown(browser, '[data-testid="event-title"]')).setValue('陆家嘴冬季路演');
    await (await browser.$('[data-testid="event-capacity"]')).setValue('1');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await browser.execute((d: string) => {
      const input = document.querySelector('[data-testid="event-day"]') as HTMLInputElement;
      input.value = d;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, tomorrow);
    await click('[data-testid="event-publish"]');
    expect(await notice()).toBe('活动已发布');
    await actAs(founder);
    await click('[data-testid="nav-events"]');
    // Our roadshow's row (the sample's events are listed too, some under way).
    const ours = async () => {
      await browser.waitUntil(async () => (await browser.$$('[data-testid="event-row"]')).length > 0, { timeout: 20_000 });
      for (const row of await browser.$$('[data-testid="event-row"]')) if ((await row.getText()).includes('陆家嘴冬季路演')) return row;
      throw new Error('the roadshow is not listed');
    };
    await (await (await ours()).$('[data-testid="event-register"]')).click();
    expect(await notice()).toBe('报名成功');
    await browser.waitUntil(async () => (await (await (await ours()).$('[data-testid="event-places"]')).getText()) === '1/1', { timeout: 20_000 });
    await shot(browser, 'events');
  });
});

describe('office hours', () => {
  it('a founder takes a seat at a time she chooses and finds it among her seats', async () => {
    expect(officeMentor).not.toBeNull();
    await actAs(founder);
    await click('[data-testid="nav-mentors"]');
    await (await shown(browser, '[data-testid="filter-text"]')).setValue(officeMentor!.name);
    await click('[data-testid="search-mentors"]');
    await browser.waitUntil(async () => (await text('[data-testid="mentor-card"]')).includes(officeMentor!.name), { timeout: 20_000 });
    await (await browser.$$('[data-testid="mentor-card"]'))[0].click();
    const block = await shown(browser, '[data-testid="office-block"]');
    await block.scrollIntoView();
    const before = await (await block.$('[data-testid="block-taken"]')).getText();
    const options = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="seat-choice"] option')].map((o) => (o as HTMLOptionElement).textContent ?? ''),
    )) as string[];
    const last = options[options.length - 1];
    await (await block.$('[data-testid="seat-choice"]')).selectByVisibleText(last);
    await (await block.$('[data-testid="take-seat"]')).click();
    expect(await notice()).toBe('已占座');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="my-seat"]').length) > 0, { timeout: 20_000 });
    expect(await text('[data-testid="my-seat"]')).toBe(`我的席位 ${last}`);
    const [taken, of] = before.split('/').map(Number);
    expect(await text('[data-testid="block-taken"]')).toBe(`${taken + 1}/${of}`);
    await shot(browser, 'office-hours');
    await click('[data-testid="nav-bookings"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="my-seat"]').length) > 0, { timeout: 20_000 });
  });
});

describe('feedback both ways', () => {
  it('a mentor rates how a startup is doing after a session of the past week', async () => {
    expect(ratingMentor).not.toBe('');
    await actAs(ratingMentor);
    await click('[data-testid="nav-sessions"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="rate-startup"]').length) > 0, { timeout: 20_000 });
    // Sessions the mentor rated already offer their rating to read, not a second one: the
    // first 评价 button is a session still to rate.
    const viewable = async () => (await browser.$$('[data-testid="view-feedback"]')).length;
    const before = await viewable();
    await (await browser.$$('[data-testid="rate-startup"]'))[0].click();
    await shown(browser, '[data-testid="feedback-rating"]');
    await (await shown(browser, '[data-testid="feedback-rating"]')).selectByAttribute('value', '2');
    await (await browser.$('[data-testid="feedback-comment"]')).setValue('商业模式还需打磨');
    if (await browser.$('[data-testid="pairing-question"]').isExisting()) await click('[data-testid="pairing-fits"]');
    await click('[data-testid="feedback-submit"]');
    expect(await notice()).toBe('感谢你的评价！');
    await browser.waitUntil(async () => (await text('[data-testid="feedback-form"]')).includes('你的评价'), { timeout: 20_000 });
    expect(await text('[data-testid="feedback-form"]')).toContain('商业模式还需打磨');
    // The session is rated now: its button offers the rating to read.
    await browser.waitUntil(async () => (await viewable()) === before + 1, { timeout: 10_000, timeoutMsg: 'the rated session still offers 评价' });
    await shot(browser, 'mentor-feedback');
  });
});

describe('a mentor’s own zone', () => {
  it('is picked from the cities the app knows, on the mentor’s hours screen', async () => {
    await actAs(homeMentor);
    await click('[data-testid="nav-availability"]');
    const select = await shown(browser, '[data-testid="mentor-timezone"]');
    expect(await select.getValue()).toBe('Asia/Shanghai');
    const zones = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="mentor-timezone"] option')].map((o) => (o as HTMLOptionElement).value),
    )) as string[];
    expect(zones).toContain('America/New_York');
    await shot(browser, 'mentor-zone');
  });
});
