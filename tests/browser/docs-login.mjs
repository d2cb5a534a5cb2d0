// Logs in through the /docs page's own Authorize form and sends GET /posts/ from the page, in
// Debian's Chromium driven by playwright-core (no browser download). Run by
// Social.Api.Tests (ApiDocs/DocsPageBrowserTests); exits non-zero when any step fails.
// Usage: node docs-login.mjs <base-url> <email> <password> <screenshot.png>
import { chromium } from 'playwright-core';

const [baseUrl, email, password, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // The machine has no internet: keep Chromium from calling home (its requests would be refused).
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const external = [];
  page.on('request', request => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) external.push(request.url());
  });

  await page.goto(`${baseUrl}/docs/`, { waitUntil: 'networkidle' });

  // The page's own Authentication panel: OAuth2 password flow against POST /login.
  await page.getByRole('combobox', { name: 'Username' }).first().click();
  await page.keyboard.type(email);
  await page.getByLabel('Password', { exact: true }).first().fill(password);
  const [login] = await Promise.all([
    page.waitForResponse(r => new URL(r.url()).pathname === '/login'),
    page.getByRole('button', { name: 'Authorize' }).first().click(),
  ]);
  console.log(`POST /login -> ${login.status()}`);
  await page.getByRole('button', { name: 'Clear tokens' }).first().waitFor();

  // GET /posts/ from the page's request client, with the token it obtained.
  await page.getByRole('button', { name: 'Open Group - Posts' }).click();
  await page.getByText('List posts').first().click();
  await page.getByRole('button', { name: 'Test Request (get /posts/)' }).click();
  const [posts] = await Promise.all([
    page.waitForResponse(r => new URL(r.url()).pathname === '/posts/' && r.request().method() === 'GET'),
    page.getByRole('button', { name: /Send get request to \/posts\// }).click(),
  ]);
  const authorization = posts.request().headers()['authorization'] ?? '';
  console.log(`GET /posts/ -> ${posts.status()} (${authorization.startsWith('Bearer ') ? 'with' : 'without'} a bearer token)`);
  await page.getByText('200 OK').first().waitFor();
  await page.waitForTimeout(800); // let the response panel's transition finish before the screenshot
  await page.screenshot({ path: screenshot });

  if (external.length > 0) console.log(`external requests: ${external.join(', ')}`);
  const ok = login.status() === 200 && posts.status() === 200 && authorization.startsWith('Bearer ') && external.length === 0;
  console.log(ok ? 'docs page works' : 'docs page FAILED');
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
}
