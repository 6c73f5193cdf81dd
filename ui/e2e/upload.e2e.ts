// A space admin's first connection from the real app to a district server that knows the
// makerspace but none of its catalogue: the app uploads its labs, equipment and mentors,
// says so, and the server has them.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { press, serverAdmin, serverToken, shot, shown, start, startServer, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let server: ChildProcess;
let base = '';

const el = (selector: string) => shown(browser, selector);
const click = (selector: string) => press(browser, selector);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'incubook-server-'));
  const db = `sqlite:${join(dir, 'incubook.db')}`;
  serverAdmin(db, ['add-makerspace', '--code', 'PD-0001', '--name', '浦东张江众创空间']);
  serverAdmin(db, ['add-user', '--makerspace', 'PD-0001', '--username', 'zhang', '--roles', 'space_admin'], 'zhang-password');
  ({ base, server } = await startServer(db));
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
    expect(await uploaded.getText()).toMatch(/已把本空间「PD-0001」的目录上传到区平台：\d+ 人、\d+ 个实验室、\d+ 台设备、\d+ 位导师、\d+ 个未来的预约/);
    expect(await (await el('[data-testid="sync-waiting"]')).getText()).toBe('0 项更改');
    await shot(browser, 'catalogue-uploaded');

    const token = await serverToken(base, 'zhang', 'zhang-password');
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
