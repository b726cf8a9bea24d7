// End-to-end tests of the web console in a real browser: Debian's chromium driven by
// playwright-core, against a real `fincrm serve` on a freshly generated demo.
//   node tests/e2e.mjs FINCRM_BINARY [--screenshots DIR]
import { execFileSync } from 'node:child_process';
import { launchBrowser, signInPage, startServer } from './harness.mjs';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
const require_text = (path) => readFileSync(path, 'utf8');
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const fincrm = resolve(process.argv[2]);
const screenshotsAt = process.argv.indexOf('--screenshots');
const screenshots = screenshotsAt > 0 ? resolve(process.argv[screenshotsAt + 1]) : null;
const work = mkdtempSync(join(tmpdir(), 'fincrm-e2e-'));
const db = join(work, 'e2e.db');
const password = 'e2e-password-1';

const run = (...args) => execFileSync(fincrm, args, { encoding: 'utf8' });
run('demo-data', '--db', db, '--customers', screenshots ? '20000' : '3000');
run('analyze', '--db', db, '--clusters', '5');
const sql = (query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
const broker = sql("SELECT broker_id FROM customers WHERE broker_id IS NOT NULL GROUP BY broker_id ORDER BY COUNT(*) DESC LIMIT 1");
const branch = sql(`SELECT branch_id FROM staff WHERE staff_id = '${broker}'`);
for (const [login, role, ...scope] of [['admin', 'admin'], ['manager', 'branch_manager', '--branch', branch],
                                       ['broker', 'broker', '--staff-id', broker], ['agent', 'agent'],
                                       ['compliance', 'compliance'], ['research', 'research_analyst']]) {
  execFileSync(fincrm, ['user', 'add', '--db', db, '--login', login, '--role', role, ...scope, '--password-stdin'],
               { input: password + '\n' });
}
const brokerCustomers = new Set(sql(`SELECT customer_id FROM customers WHERE broker_id = '${broker}'`).split('\n'));
const branchCustomers = new Set(sql(`SELECT customer_id FROM customers WHERE branch_id = '${branch}'`).split('\n'));

// The console built into the binary (no --web-root), as README's command serves it.
const { base, stop } = await startServer(fincrm, db);
const context = await launchBrowser(join(work, 'profile'));
let passed = 0, failed = 0;
const consoleErrors = [];
async function check(name, body) {
  try {
    await body();
    passed++;
  } catch (error) {
    failed++;
    console.error(`FAILED: ${name}: ${error.message}`);
  }
}
const assert = (condition, message) => { if (!condition) throw new Error(message); };

async function signIn(login) {
  await context.clearCookies();
  return signInPage(context, base, login, password, (page) => {
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${login}: ${m.text()}`); });
    page.on('pageerror', (e) => consoleErrors.push(`${login}: ${e.message}`));
  });
}
async function listedIds(page) {
  await page.goto(base + '/#/customers');
  await page.waitForSelector('main table tbody tr');
  return page.$$eval('main table tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
}
const shot = async (page, name) => { if (screenshots) await page.screenshot({ path: join(screenshots, name + '.png'), fullPage: true }); };
if (screenshots) mkdirSync(screenshots, { recursive: true });

await check('a wrong password shows the error at the form', async () => {
  const page = await context.newPage();
  await page.goto(base + '/');
  await page.fill('input[name=login]', 'admin');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field-error:not(:empty)');
  await shot(page, 'login');
  await page.close();
});

await check('the start page logs nothing in the console before sign-in (no 401, no 404)', async () => {
  await context.clearCookies();
  const page = await context.newPage();
  const logged = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') logged.push(m.text()); });
  page.on('pageerror', (e) => logged.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) logged.push(`${r.status()} ${r.url()}`); });
  await page.goto(base + '/');
  await page.waitForSelector('input[name=login]');
  await page.waitForLoadState('networkidle');
  assert(logged.length === 0, logged.join('\n'));
  await page.close();
});

// Each role's menu, as the route table and the role's permissions make it, and every
// page of it loads with nothing in the console (a refused request included).
const menus = {
  admin: ['#/dashboard', '#/customers', '#/analytics', '#/admin'],
  manager: ['#/dashboard', '#/customers', '#/analytics'],
  broker: ['#/dashboard', '#/customers', '#/analytics'],
  agent: ['#/customers'],
  compliance: ['#/customers', '#/admin'],
  research: ['#/dashboard', '#/analytics'],
};
const ready = { '#/dashboard': '.tile b', '#/customers': 'table tbody tr', '#/analytics': '#kpi-table table',
                '#/admin': '#chain-status' };
for (const [login, expected] of Object.entries(menus)) {
  await check(`${login}: the menu is ${expected.join(' ')} and each page loads cleanly`, async () => {
    const page = await signIn(login);
    const logged = [];
    page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) logged.push(`${r.status()} ${r.url()}`); });
    const items = await page.$$eval('nav a[href^="#/"]', (links) => links.map((a) => a.getAttribute('href')));
    assert(JSON.stringify(items) === JSON.stringify(expected), `menu ${items.join(' ')}`);
    assert(await page.evaluate(() => location.hash) === expected[0], 'signed in on the first page of the menu');
    for (const hash of expected) {
      await page.goto(base + '/' + hash);
      await page.waitForSelector(`main ${ready[hash]}`, { timeout: 20000 });
    }
    // An address the role may not open leads to its first page instead.
    for (const hash of ['#/dashboard', '#/admin', '#/nowhere'].filter((h) => !expected.includes(h))) {
      await page.goto(base + '/' + hash);
      await page.waitForFunction((home) => location.hash === home, expected[0]);
    }
    assert(logged.length === 0, logged.join('\n'));
    await page.close();
  });
}

const admin = await signIn('admin');
await check('leaving a page disposes its charts', async () => {
  await admin.waitForFunction(() => window.fincrm.liveCharts() >= 5, null, { timeout: 20000 });
  await admin.goto(base + '/#/customers');
  await admin.waitForSelector('main table tbody tr');
  assert(await admin.evaluate(() => window.fincrm.liveCharts()) === 0, 'charts left alive');
  await admin.goto(base + '/#/dashboard');
  await admin.waitForSelector('.tile b');
});
await check('admin sees the dashboard with tiles and charts', async () => {
  await admin.waitForSelector('.tile b');
  assert((await admin.$$('.tile')).length >= 7, 'seven KPI tiles');
  await admin.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 5, null, { timeout: 10000 });
  await admin.waitForTimeout(screenshots ? 3000 : 500);  // charts animate in
  await shot(admin, 'dashboard');
});
await check('before the first analysis the dashboard says so instead of showing zero customers', async () => {
  // The server analyses a new database at once when it starts, so the answer of a
  // never-analysed one (run_id null: ApiServer::Clusters) is given to this page.
  const page = await context.newPage();
  await page.route('**/api/v1/analytics/clusters', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"run_id":null,"items":[]}' }));
  await page.goto(base + '/#/dashboard');
  await page.waitForSelector('#analysis-pending');
  const tiles = await page.$$eval('.tile', (all) => all.map((e) => e.textContent));
  assert(tiles.length === 3 && !tiles.some((text) => text.startsWith('客户数')), tiles.join(' | '));
  await page.close();
  assert(await admin.$('#analysis-pending') === null, 'no notice once analysed');
});
await check('churn reasons read in Chinese', async () => {
  const text = await admin.$eval('main section:last-of-type table tbody', (e) => e.textContent);
  assert(/[\u4e00-\u9fff]/.test(text) && !/assets fell|no trade|resembles/.test(text), text.slice(0, 200));
});
await check('admin menu has every section', async () => {
  const items = await admin.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
  for (const hash of ['#/dashboard', '#/customers', '#/analytics', '#/admin']) assert(items.includes(hash), hash);
});
let opened = '';
await check('search shows results as you type and opens the 360', async () => {
  await admin.goto(base + '/#/customers');
  await admin.waitForSelector('main table tbody tr');
  const name = await admin.$eval('main table tbody tr td:nth-child(2)', (c) => c.textContent);
  await admin.fill('input[type=search]', name.slice(0, 2));
  await admin.waitForFunction((n) => [...document.querySelectorAll('main table tbody tr td:nth-child(2)')].some((c) => c.textContent.startsWith(n)), name.slice(0, 2));
  await shot(admin, 'customers');
  await admin.click('main table tbody tr');
  await admin.waitForSelector('#profile');
  opened = decodeURIComponent(admin.url().split('/').pop());
  await admin.waitForSelector('.chart canvas');
  await admin.waitForSelector('#suitability dd');
  await admin.waitForSelector('#next-best-actions');
  await admin.waitForSelector('#holdings');
  await shot(admin, 'customer-360');
});
await check('logging a contact shows it in the timeline at once', async () => {
  const subject = 'E2E 回访 ' + Date.now();
  await admin.selectOption('#log-contact select[name=channel]', 'call_center');
  await admin.fill('#log-contact input[name=subject]', subject);
  await admin.click('#log-contact button[type=submit]');
  await admin.waitForFunction((s) => document.querySelector('#timeline table')?.textContent.includes(s), subject);
});
await check('the cube explorer shows a table and a chart', async () => {
  await admin.goto(base + '/#/analytics');
  await admin.waitForSelector('#cube');
  await admin.selectOption('#cube select[name=by1]', 'channel');
  await admin.click('#cube button[type=submit]');
  await admin.waitForSelector('#cube ~ div table tbody tr, section:has(#cube) table tbody tr');
  assert((await admin.$$('section:has(#cube) canvas')).length >= 1, 'cube chart');
});
await check('two dimensions make a pivot table, and a click drills down', async () => {
  await admin.selectOption('#cube select[name=by1]', 'tier');
  await admin.selectOption('#cube select[name=by2]', 'channel');
  await admin.click('#cube button[type=submit]');
  await admin.waitForFunction(() => document.querySelector('#cube-output p')?.textContent.includes('×'));
  const headers = await admin.$$eval('#cube-output thead th', (cells) => cells.map((c) => c.textContent));
  assert(headers[0] === '价值等级' && headers.includes('手机'), `pivot headers in Chinese: ${headers}`);
  await admin.click('#cube-output tbody tr');
  await admin.waitForFunction(() => document.querySelector('#cube input[name=where]').value.includes('tier='));
  await admin.waitForFunction(() => !document.querySelector('#cube-output p'));  // one dimension again
});
await check('customers export the current filter as CSV and Excel', async () => {
  await admin.goto(base + '/#/customers');
  await admin.waitForSelector('main table tbody tr');
  await admin.selectOption('select[name=tier]', 'gold');
  const [csv] = await Promise.all([admin.waitForEvent('download'), admin.click('#export-csv')]);
  assert(csv.suggestedFilename() === 'customers.csv', csv.suggestedFilename());
  const text = require_text(await csv.path());
  const rows = text.trim().split('\n').slice(1);
  assert(rows.length > 0 && rows.every((r) => r.includes(',gold,')), 'only gold customers');
  const [xlsx] = await Promise.all([admin.waitForEvent('download'), admin.click('#export-xlsx')]);
  assert(xlsx.suggestedFilename() === 'customers.xlsx', xlsx.suggestedFilename());
});
await admin.goto(base + '/#/analytics');
await check('the KPI scorecard ranks branches', async () => {
  await admin.waitForSelector('#kpi-table table tbody tr');
  const first = await admin.$eval('#kpi-table table tbody tr td', (c) => c.textContent);
  assert(first === '1', `rank 1 first, got ${first}`);
  await shot(admin, 'analytics');
});
await check('admin sees users and an intact audit chain', async () => {
  await admin.goto(base + '/#/admin');
  await admin.waitForSelector('#chain-status.verified');
  const status = await admin.$eval('#chain-status', (e) => e.textContent);
  assert(!status.includes('TAMPERED') && !status.includes('篡改'), status);
  // Resetting a password: a too-short one is refused next to the field.
  const managerRow = admin.locator('main table tbody tr', { hasText: 'manager' }).first();
  await managerRow.locator('button.link').nth(1).click();
  await managerRow.locator('form.reset-password input[name=password]').fill('short');
  await managerRow.locator('form.reset-password button[type=submit]').click();
  await managerRow.locator('form.reset-password .field-error:not(:empty)').waitFor();
  await shot(admin, 'admin');
});
await check('switching language changes the menu', async () => {
  const before = await admin.$eval('nav a', (a) => a.textContent);
  await admin.click('nav button.link:nth-of-type(1)');
  await admin.waitForFunction((b) => document.querySelector('nav a').textContent !== b, before);
});

const brokerPage = await signIn('broker');
await check("a broker's list holds only their customers", async () => {
  const ids = await listedIds(brokerPage);
  assert(ids.length > 0, 'some customers');
  for (const id of ids) assert(brokerCustomers.has(id), `${id} is not the broker's`);
});
await check('a broker sees ID numbers masked', async () => {
  await brokerPage.click('main table tbody tr');
  await brokerPage.waitForSelector('#profile dd');
  const text = await brokerPage.$eval('#profile', (e) => e.textContent);
  assert(/\*{14}[\dX]{4}/.test(text), 'masked ID number (the last four only)');
  assert(!/\d{6}\*{8}/.test(text), 'no region digits of the ID number');
});
await check('a broker has no admin menu and no access to another customer', async () => {
  const items = await brokerPage.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
  assert(!items.includes('#/admin'), 'no admin');
  const other = [...branchCustomers].find((id) => !brokerCustomers.has(id)) ?? 'C00000001';
  await brokerPage.goto(base + '/#/customers/' + other);
  await brokerPage.waitForSelector('main .form-error');
});
const managerPage = await signIn('manager');
await check("a branch manager's list holds only their branch", async () => {
  const ids = await listedIds(managerPage);
  assert(ids.length > 0, 'some customers');
  for (const id of ids) assert(branchCustomers.has(id), `${id} is not in branch ${branch}`);
});
await check('every page fits a phone screen', async () => {
  await managerPage.setViewportSize({ width: 375, height: 740 });
  const someone = [...branchCustomers][0];
  for (const [hash, ready] of [['#/dashboard', '.chart canvas'], ['#/analytics', '#kpi-table table tbody tr'],
                               ['#/customers/' + someone, '#timeline table'], ['#/customers', 'main table tbody tr']]) {
    await managerPage.goto(base + '/' + hash);
    await managerPage.waitForSelector(ready);
    const overflow = await managerPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${hash}: ${overflow}px wider than the screen`);
  }
  await managerPage.setViewportSize({ width: 1280, height: 860 });
});
await check('an ended session returns to the sign-in form with a notice', async () => {
  await managerPage.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST' }));
  await managerPage.goto(base + '/#/analytics');
  await managerPage.waitForSelector('form.login');
  await managerPage.goto(base + '/#/customers');
  await managerPage.waitForSelector('input[name=login]');
});
await check('keyboard only: sign in, open a customer from the search, log a contact', async () => {
  await context.clearCookies();
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`keyboard: ${e.message}`));
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e.tagName, name: e.getAttribute('name') ?? '', href: e.getAttribute('href') ?? '',
             outline: getComputedStyle(e).outlineStyle, form: e.closest('form')?.id ?? '' };
  });
  const tabUntil = async (wanted, limit = 80) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (wanted(f)) return f;
    }
    throw new Error('never reached by Tab');
  };
  // The dashboard's analytics answer late (as on a busy server): its page must not
  // take the focus back from a user who has tabbed into the menu meanwhile.
  let analyticsDone = 0;
  await page.route('**/api/v1/analytics/**', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
    analyticsDone++;
  });
  await page.goto(base + '/');
  await page.waitForSelector('input[name=login]');
  assert((await focused()).name === 'login', 'the login field has the focus');
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('nav');
  await tabUntil((f) => f.href === '#/customers');
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 5, null, { timeout: 60000 });
  assert(analyticsDone > 0, 'the analytics answered late');
  assert((await focused()).href === '#/customers', 'the focus stays on the menu link while the dashboard loads');
  await page.unroute('**/api/v1/analytics/**');
  await page.keyboard.press('Enter');
  await page.waitForSelector('input[type=search]');
  await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'search');
  await page.keyboard.type(opened);
  await page.waitForFunction((id) => { const rows = document.querySelectorAll('main table tbody tr');
    return rows.length === 1 && rows[0].textContent.includes(id); }, opened);
  const row = await tabUntil((f) => f.tag === 'TR');
  assert(row.outline !== 'none', 'the focused row is outlined');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#log-contact');
  const subject = 'keyboard ' + Date.now();
  await tabUntil((f) => f.form === 'log-contact' && f.name === 'subject');
  await page.keyboard.type(subject);
  await page.keyboard.press('Enter');
  await page.waitForFunction((s) => document.querySelector('#timeline table')?.textContent.includes(s), subject);
  await page.close();
});
await check('no console errors', async () => {
  const unexpected = consoleErrors.filter((e) => !e.includes('Failed to load resource'));  // expected 401/404 answers
  assert(unexpected.length === 0, unexpected.join('\n'));
});

await context.close();
await stop();
rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
