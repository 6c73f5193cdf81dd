// Starts tauri-driver for the built app on a fresh data directory and opens a WebDriver
// session on it. The CLI binary shares the database file, as a second user would.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { remote } from 'webdriverio';

const target = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? '', '.cache/incubook/target');
export const appBinary = process.env.APP_BINARY ?? join(target, 'debug', 'incubook-desktop');
export const cliBinary = join(target, 'debug', 'incubook');
export const serverBinary = join(target, 'debug', 'incubook-server');

export type Browser = Awaited<ReturnType<typeof remote>>;

export interface Session {
  browser: Browser;
  dataDir: string;
  stop: () => Promise<void>;
}

async function waitForPort(port: number, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** A port nobody listens on, so parallel runs do not collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * WebKitWebDriver's screenshots stall (about a minute each, blocking the app meanwhile) when
 * WebKit draws without its DMA-BUF renderer and GTK's GL, which the app turns off by default;
 * a screenshot run turns them back on. What is drawn is the same.
 */
function screenshotGraphics(): Record<string, string> {
  return process.env.SCREENSHOTS ? { WEBKIT_DISABLE_DMABUF_RENDERER: '0', GDK_GL: '' } : {};
}

/**
 * Starts the app. `prepare` fills the data directory before the app opens it; `env` adds to
 * the app's environment (a kiosk, a pinned clock).
 */
export async function start(options: { env?: Record<string, string>; prepare?: (dataDir: string) => void } = {}): Promise<Session> {
  const dataDir = mkdtempSync(join(tmpdir(), 'incubook-e2e-'));
  options.prepare?.(dataDir);
  const [port, nativePort] = [await freePort(), await freePort()];
  const driver: ChildProcess = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort), '--native-driver', '/usr/bin/WebKitWebDriver'], {
    env: { ...process.env, ...screenshotGraphics(), ...options.env, INCUBOOK_DATA_DIR: dataDir, TZ: 'Asia/Shanghai', LANG: 'zh_CN.UTF-8' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let browser: Browser;
  try {
    await waitForPort(port, 20_000);
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      connectionRetryCount: 1,
      capabilities: { 'tauri:options': { application: appBinary } } as WebdriverIO.Capabilities,
    });
  } catch (e) {
    driver.kill();
    throw e;
  }
  return {
    browser,
    dataDir,
    stop: async () => {
      await browser.deleteSession().catch(() => {});
      driver.kill();
    },
  };
}

/** Runs the CLI on the same database and returns its JSON output; `now` pins its clock. */
export function cli(dataDir: string, args: string[], now?: string): any {
  const env = now ? { ...process.env, INCUBOOK_NOW: now } : process.env;
  const out = execFileSync(cliBinary, ['--data-dir', dataDir, '--json', ...args], { encoding: 'utf8', env });
  return JSON.parse(out);
}

/** Saves a screenshot to docs/screenshots when SCREENSHOTS is set. */
export async function shot(browser: Browser, name: string) {
  const dir = process.env.SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Let the page paint what the test just saw before WebKit snapshots it.
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  writeFileSync(join(dir, `${name}.png`), Buffer.from(await browser.takeScreenshot(), 'base64'));
}

/** Waits until the element is on screen and returns it. */
export async function shown(browser: Browser, selector: string) {
  const e = await browser.$(selector);
  await e.waitForDisplayed({ timeout: 20_000 });
  return e;
}

/** Clicks the element once it can be clicked. */
export async function press(browser: Browser, selector: string) {
  const e = await browser.$(selector);
  await e.waitForClickable({ timeout: 20_000 });
  await e.click();
}

/** Runs an `incubook-server admin …` command on the database, the password on stdin. */
export function serverAdmin(db: string, args: string[], password?: string) {
  const withPassword = password === undefined ? args : [...args, '--password-stdin'];
  execFileSync(serverBinary, ['--db', db, 'admin', ...withPassword], { input: password === undefined ? '' : `${password}\n` });
}

/** Serves the database on a free loopback port and waits until it answers. */
export async function startServer(db: string): Promise<{ base: string; server: ChildProcess }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(serverBinary, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const until = Date.now() + 20_000;
  while (!(await fetch(`${base}/v1/health`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > until) {
      server.kill();
      throw new Error('the district server did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, server };
}

/** Signs in to the server over HTTP; the bearer token. */
export async function serverToken(base: string, username: string, password: string): Promise<string> {
  const signIn = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return (await signIn.json()).token;
}
