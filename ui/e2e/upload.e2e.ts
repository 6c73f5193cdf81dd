// A space admin's first connection from the real app to a district server that knows the
// makerspace but none of its catalogue: the app uploads its labs, equipment and mentors,
// says so, and the server has them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, serverBinary, shot, start, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let server: ChildProcess;
let base = '';

async function el(selector: string) {
  const e = await browser.$(selector);
  await e.waitForDisplayed({ timeout: 20_000 });
  return e;
}

async function click(selector: string) {
  const e = await browser.$(selector);
  await e.waitForClickable({ timeout: 20_000 });
  await e.click();
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'incubook-server-'));
  const db = `sqlite:${join(dir, 'incubook.db')}`;
  execFileSync(serverBinary, ['--db', db, 'admin', 'add-makerspace', '--code', 'PD-0001', '--name', '浦东张江众创空间']);
  execFileSync(serverBinary, ['--db', db, 'admin', 'add-user', '--makerspace', 'PD-0001', '--username', 'zhang', '--roles', 'space_admin', '--password-stdin'], {
    input: 'zhang-password\n',
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(serverBinary, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const until = Date.now() + 20_000;
  while (!(await fetch(`${base}/v1/health`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > until) throw new Error('the district server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  session = await start();
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
  server?.kill();
});

describe('a space admin connecting for the first time', () => {
  it('uploads the makerspace catalogue the server lacks and says what went', async () => {
    await click('[data-testid="load-sample"]');
    await click('[data-testid="start-as-space_admin"]');
    await click('[data-testid="nav-settings"]');
    await (await el('[data-testid="sync-url"]')).setValue(base);
    await (await el('[data-testid="sync-username"]')).setValue('zhang');
    await (await el('[data-testid="sync-password"]')).setValue('zhang-password');
    await click('[data-testid="sync-connect"]');
    const uploaded = await el('[data-testid="sync-uploaded"]');
    expect(await uploaded.getText()).toMatch(/已把本空间「PD-0001」的目录上传到区平台：\d+ 人、\d+ 个实验室、\d+ 台设备、\d+ 位导师/);
    expect(await (await el('[data-testid="sync-waiting"]')).getText()).toBe('0 项更改');
    await shot(browser, 'catalogue-uploaded');

    const signIn = await fetch(`${base}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhang', password: 'zhang-password' }),
    });
    const { token } = await signIn.json();
    const spaces = (await (await fetch(`${base}/v1/makerspaces`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      code: string;
      labs: number;
      resources: number;
    }[];
    const mine = spaces.find((m) => m.code === 'PD-0001');
    expect(mine?.labs).toBeGreaterThan(0);
    expect(mine?.resources).toBeGreaterThan(0);
  });
});
