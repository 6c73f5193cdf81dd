// Whole-process figures of the desktop app (not a test: it prints numbers).
// Run with `make figures`: cold start to the first screen, idle memory, and the lab
// calendar's day view with 300 instruments.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { cli, shot, start } from './driver';

function rssKib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** The app's resident memory split into heap and stacks (anonymous) and mapped files (libraries, the database). */
function residentKinds(pid: number): { anonymous_mib: number; file_backed_mib: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
  const anonymous = field('Anonymous');
  return { anonymous_mib: Math.round(anonymous / 1024), file_backed_mib: Math.round((field('Rss') - anonymous) / 1024) };
}

/** The largest resident mappings, to tell libraries from the database file. */
function largestMappings(pid: number, count: number): Record<string, number> {
  const byName = new Map<string, number>();
  let name = '[anonymous]';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (header) name = header[1] || '[anonymous]';
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]));
  }
  const largest = [...byName].sort((a, b) => b[1] - a[1]).slice(0, count);
  return Object.fromEntries(largest.map(([n, kib]) => [n.split('/').pop() ?? n, Math.round(kib / 1024)]));
}

function children(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

it('prints the desktop figures', async () => {
  // From before the driver and the app are launched to the welcome heading on screen.
  const t0 = performance.now();
  const first = await start();
  await (await first.browser.$('h1')).waitForDisplayed({ timeout: 30_000 });
  const firstScreen = performance.now() - t0;
  await first.stop();

  const started = performance.now();
  const session = await start();
  const { browser, dataDir } = session;
  await (await browser.$('h1')).waitForDisplayed({ timeout: 30_000 });
  const warmScreen = performance.now() - started;

  // A lab with 300 instruments, loaded through the CLI on the same database.
  const summary = cli(dataDir, ['demo']);
  const rows = ['makerspace_code,lab,name,category,capacity,weekly_hours'];
  const count = Number(process.env.INSTRUMENTS ?? 300);
  for (let i = 1; i <= count; i++) rows.push(`PD-0001,张江公共技术服务平台,工位 ${i} 号,workstation,1,1-7 08:00-22:00`);
  const csv = join(dataDir, 'bench.csv');
  writeFileSync(csv, rows.join('\n'));
  cli(dataDir, ['import', 'equipment', csv, '--as', summary.lab_manager_id]);

  await browser.refresh();
  await (await browser.$('[data-testid="start-as-founder"]')).click();
  await (await browser.$('[data-testid="profile-switcher"]')).selectByAttribute('value', summary.lab_manager_id);
  await (await browser.$('[data-testid="nav-lab-calendar"]')).waitForClickable({ timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 3000));
  const pid = Number(execFileSync('pgrep', ['-n', '-f', 'incubook-desktop'], { encoding: 'utf8' }).trim());
  const appRss = rssKib(pid);
  const appKinds = residentKinds(pid);
  const appLargest = largestMappings(pid, 8);
  const webRss = children(pid).reduce((sum, c) => sum + rssKib(c), 0);

  // Day view of the 300-instrument lab: from the click on the screen's button to its rows
  // drawn, then from a jump to the end of the list to its last rows drawn, then a scroll
  // through every row, a step each frame, with the longest frame it took.
  const ms = (await browser.executeAsync((expected: number, done: (ms: number) => void) => {
    const t = performance.now();
    (document.querySelector('[data-testid="nav-lab-calendar"]') as HTMLButtonElement).click();
    const poll = () => {
      const rows = document.querySelectorAll('[role="rowheader"]').length;
      const listed = Number(/(\d+)\s*(instruments|台设备)/.exec(document.querySelector('[data-testid="lab-calendar-count"]')?.textContent ?? '')?.[1] ?? 0);
      if (listed >= expected && rows >= 10) requestAnimationFrame(() => done(performance.now() - t));
      else if (performance.now() - t > 20_000) done(-1);
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  }, count)) as number;
  const lastPageMs = (await browser.executeAsync((done: (ms: number) => void) => {
    const firstRow = () => document.querySelector('[role="rowheader"]')?.textContent ?? '';
    const before = firstRow();
    const scroller = document.querySelector('[data-testid="lab-timeline"] .body > div') as HTMLElement;
    const t = performance.now();
    scroller.scrollTop = scroller.scrollHeight;
    const poll = () => {
      if (firstRow() !== before) requestAnimationFrame(() => done(performance.now() - t));
      else if (performance.now() - t > 20_000) done(-1);
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  })) as number;
  const scroll = (await browser.executeAsync((done: (r: { frames: number; longest_frame_ms: number; median_frame_ms: number }) => void) => {
    const scroller = document.querySelector('[data-testid="lab-timeline"] .body > div') as HTMLElement;
    scroller.scrollTop = 0;
    const gaps: number[] = [];
    let last = performance.now();
    const step = () => {
      const t = performance.now();
      gaps.push(t - last);
      last = t;
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) {
        gaps.sort((a, b) => a - b);
        done({ frames: gaps.length, longest_frame_ms: Math.round(gaps[gaps.length - 1]), median_frame_ms: Math.round(gaps[gaps.length >> 1]) });
        return;
      }
      scroller.scrollTop += 120;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })) as { frames: number; longest_frame_ms: number; median_frame_ms: number };
  // The same data through IPC alone, to tell the command's time from the drawing's.
  const ipcMs = (await browser.executeAsync((done: (ms: number) => void) => {
    const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args: object) => Promise<unknown> } }).__TAURI_INTERNALS__;
    const t = performance.now();
    internals
      .invoke('list_labs', { makerspaceCode: null })
      .then((labs) => {
        const lab = (labs as { id: string; name: string }[]).find((l) => l.name === '张江公共技术服务平台');
        const from = new Date();
        from.setHours(0, 0, 0, 0);
        const to = new Date(from.getTime() + 86_400_000);
        return internals.invoke('lab_calendar', { labId: lab?.id, from: from.toISOString(), to: to.toISOString() });
      })
      .then(() => done(performance.now() - t));
  })) as number;
  const rowsDrawn = await browser.execute(() => document.querySelectorAll('[role="rowheader"]').length);
  if (process.env.SCREENSHOTS) await shot(browser, 'lab-calendar-300');

  console.log(JSON.stringify({
    binary: process.env.APP_BINARY ?? 'debug',
    first_screen_ms_including_driver_start: Math.round(firstScreen),
    first_screen_ms_second_start: Math.round(warmScreen),
    idle_rss_mib_app_process: Math.round(appRss / 1024),
    idle_rss_mib_app_process_by_kind: appKinds,
    idle_rss_mib_largest_mappings: appLargest,
    idle_rss_mib_with_webkit_processes: Math.round((appRss + webRss) / 1024),
    instruments: count,
    lab_calendar_day_drawn_ms: Math.round(ms),
    lab_calendar_jump_to_end_ms: Math.round(lastPageMs),
    lab_calendar_scroll_through_all_rows: scroll,
    lab_calendar_count: await (await browser.$('[data-testid="lab-calendar-count"]')).getText(),
    lab_calendar_ipc_only_ms: Math.round(ipcMs),
    rows_drawn: rowsDrawn,
  }, null, 2));
  await session.stop();
});
