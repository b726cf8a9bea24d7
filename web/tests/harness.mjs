// What the browser tests and the page-time benchmark share: a real `fincrm serve`
// on port 0, and Debian's chromium driven by playwright-core with a fresh profile.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';

// Starts the server and resolves once its live analytics are loaded. Without webRoot
// it serves the console built into the binary, as a user's server does.
export async function startServer(fincrm, db, webRoot) {
  const server = spawn(fincrm, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(webRoot ? ['--web-root', webRoot] : [])]);
  const base = await new Promise((done, fail) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) done(match[1]);
    });
    server.on('exit', (code) => fail(new Error(`fincrm serve exited with ${code}`)));
  });
  for (let i = 0; i < 1200; i++) {
    const health = await fetch(base + '/healthz').then((r) => r.json()).catch(() => ({}));
    if (health.events_ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  };
  return { base, stop };
}

export function launchBrowser(profileDir) {
  return chromium.launchPersistentContext(profileDir, {
    acceptDownloads: true,
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
  });
}

// Signs in through the form, as a user would; `watch` sees the page before it loads.
export async function signInPage(context, base, login, password, watch = () => {}) {
  const page = await context.newPage();
  watch(page);
  await page.goto(base + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav');
  return page;
}
