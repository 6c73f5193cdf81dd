// District calls in the real app: a startup's lead drafts an application to the open call of
// the district fund, answers its form, gives the pledge and submits; the district's operator
// takes it in — accepts one (its unified code appears) and returns another with a reason —
// and the lead sees the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, press, shot, shown, start, type Browser, type Session } from './driver';

let session: Session;
let browser: Browser;
let lead: string;
let operator: string;

const text = async (selector: string) => (await shown(browser, selector)).getText();
const click = (selector: string) => press(browser, selector);

async function noticeSays(wanted: string) {
  await browser.waitUntil(async () => (await text('[data-testid="notice"]')).includes(wanted), { timeout: 10_000, timeoutMsg: `notice never said ${wanted}` });
}

async function actAs(personId: string) {
  const select = await shown(browser, '[data-testid="profile-switcher"]');
  await select.selectByAttribute('value', personId);
}

/** The row of a table whose text holds `wanted`. */
async function rowWith(selector: string, wanted: string) {
  await browser.waitUntil(async () => (await browser.$$(selector)).length > 0, { timeout: 20_000 });
  for (const row of await browser.$$(selector)) {
    if ((await row.getText()).includes(wanted)) return row;
  }
  throw new Error(`no ${selector} with ${wanted}`);
}

beforeAll(async () => {
  session = await start({
    prepare: (dir) => {
      cli(dir, ['demo']);
      const people = cli(dir, ['people']) as { id: string; district_operator: boolean }[];
      operator = people.find((p) => p.district_operator)?.id ?? '';
      const applied = new Set((cli(dir, ['apply', 'status', '--as', operator]) as { startup_id: string }[]).map((a) => a.startup_id));
      const startups = cli(dir, ['startups', 'list']) as { id: string; kind: string; members: { person_id: string; lead: boolean }[] }[];
      const free = startups.find((s) => s.kind === 'team' && !applied.has(s.id));
      lead = free?.members.find((m) => m.lead)?.person_id ?? '';
    },
  });
  browser = session.browser;
});

afterAll(async () => {
  await session?.stop();
});

describe('district calls', () => {
  it('a lead drafts an application to the open call and submits it', async () => {
    expect(lead).not.toBe('');
    await actAs(lead);
    await click('[data-testid="nav-calls"]');
    await rowWith('[data-testid="call-row"]', '受理中');
    await click('[data-testid="new-application"]');
    await (await shown(browser, '[data-testid="application-title"]')).setValue('社区储能调度平台');
    await (await browser.$('[data-testid="answer-summary"]')).setValue('面向园区的分布式储能调度软件');
    await (await browser.$('[data-testid="answer-total_cost_fen"]')).setValue('80000000');
    await (await browser.$('[data-testid="application-amount"]')).setValue('250000');
    // Without the pledge it does not go.
    await click('[data-testid="submit-application"]');
    await noticeSays('诚信承诺');
    await click('[data-testid="application-pledge"]');
    await click('[data-testid="submit-application"]');
    await noticeSays('已提交');
    const mine = await rowWith('[data-testid="my-application"]', '社区储能调度平台');
    expect(await mine.getText()).toContain('已提交');
    await shot(browser, 'calls-founder');
  });

  it('the district operator accepts it, minting its code, and returns another with a reason', async () => {
    await actAs(operator);
    await click('[data-testid="nav-calls"]');
    await shown(browser, '[data-testid="intake-summary"]');
    const ours = await rowWith('[data-testid="intake-row"]', '社区储能调度平台');
    await (await ours.$('[data-testid="intake-accept"]')).click();
    await noticeSays('统一编码');
    await browser.waitUntil(async () => /^310115-\d{4}-KF-02-\d{5}-[0-9A-Z]$/.test((await (await rowWith('[data-testid="intake-row"]', '社区储能调度平台')).$('[data-testid="intake-code"]').getText()).trim()), { timeout: 10_000, timeoutMsg: 'no code shown' });
    // Another received application goes back for correction, with the reason.
    const rows = await browser.$$('[data-testid="intake-row"]');
    let returned = false;
    for (const row of rows) {
      if ((await row.getText()).includes('已提交') && !(await row.getText()).includes('社区储能调度平台')) {
        await (await row.$('[data-testid="intake-reason"]')).setValue('请补充项目预算明细');
        await (await row.$('[data-testid="intake-return"]')).click();
        returned = true;
        break;
      }
    }
    expect(returned).toBe(true);
    await noticeSays('退回补正');
    await shot(browser, 'calls-intake');
  });

  it('the lead sees the code the district gave the application', async () => {
    await actAs(lead);
    await click('[data-testid="nav-calls"]');
    const mine = await rowWith('[data-testid="my-application"]', '社区储能调度平台');
    expect(await mine.getText()).toContain('已受理');
    expect((await (await mine.$('[data-testid="my-code"]')).getText()).trim()).toMatch(/^310115-\d{4}-KF-02-\d{5}-[0-9A-Z]$/);
  });
});
