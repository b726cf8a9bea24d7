// How long each console page takes until it is usable (its data shown, its charts
// drawn), in Debian's chromium against a real `fincrm serve` on the demo database.
// Cold = the first visit after the server started (its answer caches empty); warm =
// the median of later visits. The peer is the bare shell: the same full page load
// that ends at the sign-in form, with no data. The budget is 1 s per page.
//   node bench/web/page_times.mjs FINCRM DB WEB_ROOT LOGIN PASSWORD CUSTOMER_IDS_FILE
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, signInPage, startServer } from '../../web/tests/harness.mjs';

const [fincrm, db, webRoot, login, password, idsFile] = process.argv.slice(2);
const customerIds = readFileSync(idsFile, 'utf8').trim().split('\n');
const visits = 5, budget = 1000;
const work = mkdtempSync(join(tmpdir(), 'fincrm-pages-'));
const { base, stop } = await startServer(fincrm, db, webRoot);
const context = await launchBrowser(join(work, 'profile'));

// Every page is a full load (a new document), ending when what a user came for is there.
const pages = [
  ['dashboard', () => '#/dashboard', () => document.querySelectorAll('.chart canvas').length >= 5 &&
                                        document.querySelector('main section:last-of-type table tbody tr')],
  ['customers', () => '#/customers', () => document.querySelector('main table tbody tr')],
  ['customer 360', (i) => '#/customers/' + customerIds[i % customerIds.length],
   () => document.querySelector('#profile dd') && document.querySelector('#timeline table') && document.querySelector('.chart canvas')],
  ['analytics', () => '#/analytics', () => document.querySelector('#kpi-table table tbody tr')],
  ['admin', () => '#/admin', () => document.querySelector('#chain-status')?.textContent && document.querySelector('main section:last-of-type table tbody tr')],
];
async function timeLoad(page, hash, ready) {
  await page.goto('about:blank');
  const started = performance.now();
  await page.goto(base + '/' + hash);
  await page.waitForFunction(ready, null, { timeout: 60000, polling: 10 });
  return performance.now() - started;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The peer: the shell alone, signed out.
const anonymous = await context.newPage();
const signInForm = () => document.querySelector('input[name=login]');
await timeLoad(anonymous, '', signInForm);  // the first load fills the browser's cache
const shellTimes = [];
for (let i = 0; i < visits; i++) shellTimes.push(await timeLoad(anonymous, '', signInForm));
const shell = median(shellTimes);
await anonymous.close();

const page = await signInPage(context, base, login, password);
const rows = [];
for (const [name, hash, ready] of pages) {
  const cold = await timeLoad(page, hash(0), ready);
  const warm = [];
  for (let i = 1; i <= visits; i++) warm.push(await timeLoad(page, hash(i), ready));
  rows.push([name, cold, median(warm)]);
}
await context.close();
await stop();
rmSync(work, { recursive: true, force: true });

console.log(`shell (sign-in form, no data): ${shell.toFixed(0)} ms`);
console.log('page           cold ms  warm ms  warm/budget  warm/shell');
for (const [name, cold, warm] of rows) {
  console.log(`${name.padEnd(14)} ${cold.toFixed(0).padStart(7)}  ${warm.toFixed(0).padStart(7)}  ${(warm / budget).toFixed(2).padStart(11)}  ${(warm / shell).toFixed(1).padStart(10)}`);
}
const slow = rows.filter(([, cold, warm]) => Math.max(cold, warm) > budget).map(([name]) => name);
console.log(slow.length ? `over the ${budget} ms budget: ${slow.join(', ')}` : `every page within the ${budget} ms budget, cold and warm`);
