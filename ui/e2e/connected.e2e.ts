// The real app connected to a real district server (incubook-server on a loopback port):
// signing in from Settings, a district notice on the Notices screen, and a booking that
// the background sync sends and the server confirms.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, press, serverAdmin, serverToken, shot, shown, start, startServer, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let server: ChildProcess;
let base = '';
let serverDir = '';
let founderId = '';
const NOTICE = '关于2027年度科技创新券申领的通知';

const el = (selector: string) => shown(browser, selector);
const click = (selector: string) => press(browser, selector);

beforeAll(async () => {
  // The district: the same sample the app loads locally, so people and mentors match.
  serverDir = mkdtempSync(join(tmpdir(), 'incubook-server-'));
  const db = `sqlite:${join(serverDir, 'incubook.db')}`;
  founderId = cli(serverDir, ['demo']).founder_id;
  serverAdmin(db, ['add-user', '--makerspace', 'PD-0001', '--username', 'wang', '--roles', 'founder', '--person', founderId], 'wang-password');
  serverAdmin(db, ['add-user', '--makerspace', 'PD-0001', '--username', 'district', '--roles', 'district_operator'], 'operator-password');
  ({ base, server } = await startServer(db));
  const token = await serverToken(base, 'district', 'operator-password');
  const published = await fetch(`${base}/v1/notices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ title: NOTICE, body: '各众创空间：2027年度科技创新券将于1月5日开放申领，请符合条件的企业按时提交材料。' }),
  });
  expect(published.status).toBe(201);
  session = await start();
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
  server?.kill();
});

describe('Incubook desktop connected to a district server', () => {
  it('signs in from Settings and shows the sync status', async () => {
    await click('[data-testid="load-sample"]');
    await click('[data-testid="start-as-founder"]');
    await click('[data-testid="nav-settings"]');
    await (await el('[data-testid="sync-url"]')).setValue(base);
    await (await el('[data-testid="sync-username"]')).setValue('wang');
    await (await el('[data-testid="sync-password"]')).setValue('wang-password');
    await click('[data-testid="sync-connect"]');
    const last = await el('[data-testid="sync-last"]');
    expect(await last.getText()).not.toBe('尚未同步');
    expect(await (await el('[data-testid="sync-waiting"]')).getText()).toBe('0 项更改');
    await shot(browser, 'district-connection');
  });

  it('lists the district notices', async () => {
    await click('[data-testid="nav-notices"]');
    const item = await el('[data-testid="notice-item"]');
    expect(await item.getText()).toContain(NOTICE);
    await shot(browser, 'notices');
  });

  it('a booking made in the app reaches the server and is confirmed there', async () => {
    await click('[data-testid="nav-mentors"]');
    await click('[data-testid="mentor-card"]');
    const free = await el('.ib-free');
    await free.click();
    await (await el('[data-testid="book-topic"]')).setValue('区平台同步测试');
    await click('[data-testid="book-confirm"]');
    await click('[data-testid="nav-bookings"]');
    const table = await el('[data-testid="upcoming-bookings"]');
    await browser.waitUntil(async () => (await table.getText()).includes('区平台同步测试'), { timeout: 15_000 });
    // The background sync sends it within moments; the waiting badge then goes away.
    await browser.waitUntil(async () => (await browser.$$('[data-testid="badge-pending"]')).length === 0, { timeout: 20_000 });
    const onServer = cli(serverDir, ['bookings', '--as', founderId]) as { topic: string; status: string }[];
    expect(onServer.find((b) => b.topic === '区平台同步测试')?.status).toMatch(/confirmed|requested/);
    await shot(browser, 'my-bookings-synced');
  });

  it('a district operator signs in on the same desktop and sees every makerspace’s year side by side', async () => {
    await click('[data-testid="nav-settings"]');
    await (await el('[data-testid="sync-sign-out"]')).scrollIntoView({ block: 'center' });
    await click('[data-testid="sync-sign-out"]');
    await (await el('[data-testid="sync-username"]')).setValue('district');
    await (await el('[data-testid="sync-password"]')).setValue('operator-password');
    await click('[data-testid="sync-sign-in"]');
    await click('[data-testid="nav-district"]');
    await click('[data-testid="district-load"]');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="district-row"]').length) > 0, { timeout: 20_000 });
    const year = Number(await (await el('[data-testid="district-year"]')).getValue());
    // The same figures the server's own database gives for one makerspace, read apart from the server.
    const pd1 = cli(serverDir, ['report', 'kpi', '--year', String(year), '--makerspace', 'PD-0001']) as { sessions: number; activities: number };
    const rows = (await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="district-row"]')].map((r) => ({
        code: r.getAttribute('data-code'),
        sessions: r.querySelector('[data-testid="district-sessions"]')?.textContent ?? '',
        activities: r.querySelector('[data-testid="district-activities"]')?.textContent ?? '',
      })),
    )) as { code: string; sessions: string; activities: string }[];
    expect(rows.map((r) => r.code)).toEqual(['PD-0001', 'PD-0002', 'PD-0003']);
    const mine = rows.find((r) => r.code === 'PD-0001');
    expect(Number(mine?.sessions)).toBe(pd1.sessions);
    expect(mine?.activities).toBe(`${pd1.activities}/10`);
    expect(await (await el('[data-testid="district-summary"]')).getText()).toContain('3 个众创空间');
    await shot(browser, 'district-figures');
  });
});
