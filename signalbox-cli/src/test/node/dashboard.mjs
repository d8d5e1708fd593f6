// Drives the dashboard in headless Chromium (Debian's, through playwright-core) as a person would:
// a shared link to a decision asks for the admin key (a wrong one is refused), then opens the
// decision; the overview by keyboard; the live pool; a filtered search and its replay under an
// edited config; a bad filter; the budgets.
// Prints "observed {json}" for the Java test to check against the trace store. Screenshots go to
// the folder given.
//
//   node dashboard.mjs '{"base": "...", "key": "...", "trace": "req_...", "route": "...", "scope": "...", "shots": "..."}'
import { chromium } from 'playwright-core';

const input = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const observed = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => observed.errors.push(String(e)));
  // The refused login (401) and the refused filter (400) are meant, and the browser's own favicon
  // request on a raw report; any other failed response is not.
  page.on('response', (r) => {
    const meant = (r.status() === 401 && r.url().endsWith('/ui/login'))
      || (r.status() === 400 && r.url().includes('min_cost=abc'))
      || (r.status() === 404 && r.url().endsWith('/favicon.ico'));
    if (r.status() >= 400 && !meant) observed.errors.push(r.status() + ' ' + r.url());
  });
  const shot = (name) => page.screenshot({ path: `${input.shots}/${name}.png`, fullPage: true });
  const texts = (selector) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent.trim()));

  // A shared link to one decision: the login comes first, a wrong key is refused.
  await page.goto(`${input.base}/ui/trace/${input.trace}`);
  await page.fill('#key', 'not-the-key');
  await page.click('button[type=submit]');
  await page.waitForSelector('#problem[role=alert]');
  observed.loginRefused = (await page.textContent('#problem')).trim();
  await shot('1-login-refused');
  await page.fill('#key', input.key);
  await page.click('button[type=submit]');
  await page.waitForSelector('#explanation');
  observed.decisionUrl = page.url();
  observed.explanation = (await page.textContent('#explanation')).trim();
  observed.facts = await page.$$eval('dl.facts dt', (dts) =>
    Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  observed.chosen = await texts('table strong');
  observed.attempts = await texts('.attempt .who');
  await shot('2-decision');

  // The overview, reached from the keyboard alone.
  await page.focus('nav a[data-view=overview]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.cards .card');
  await page.waitForSelector('#spend-chart .uplot');
  observed.cards = await page.$$eval('.cards .card', (cards) =>
    Object.fromEntries(cards.map((c) => [c.querySelector('.label').textContent, c.querySelector('.value').textContent])));
  observed.overviewRoutes = await page.$$eval('table[data-table="Per route"] tbody tr', (rows) => rows.map((r) => r.children[0].textContent));
  observed.overviewKeys = await page.$$eval('table[data-table="Per key"] tbody tr', (rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent]));
  observed.overviewTeams = await page.$$eval('table[data-table="Per team"] tbody tr', (rows) => rows.map((r) => r.children[0].textContent));
  await shot('3-overview');

  // The live pool: every deployment with its breaker; it refreshes itself.
  await page.click('nav a[data-view=pool]');
  await page.waitForSelector('#inflight-chart .uplot');
  observed.pool = await page.$$eval('table[data-table="Deployments"] tbody tr', (rows) =>
    rows.map((r) => [r.children[0].textContent, r.children[1].textContent]));
  await shot('4-pool');

  // A search by route, then the page's own link to it, then a filter the API refuses.
  await page.click('nav a[data-view=traces]');
  await page.waitForSelector('#filters');
  await page.fill('input[name=route]', input.route);
  await page.click('#filters button[type=submit]');
  await page.waitForURL(/route=/);
  await page.waitForSelector('#results tbody tr');
  observed.searchUrl = page.url();
  observed.searchRoutes = await page.$$eval('#results table[data-table] tbody tr', (rows) => rows.map((r) => r.children[2].textContent));
  observed.searchIds = await page.$$eval('#results table[data-table] tbody tr a', (links) => links.map((a) => a.textContent));
  await shot('5-decisions');

  // Those decisions replayed under an edited config: the default route made the strong one.
  await page.click('#replay summary');
  await page.waitForFunction(() => document.querySelector('#replay-config').value.includes('routes:'));
  const config = await page.inputValue('#replay-config');
  observed.replayEdited = config.includes('    default: cheap');
  await page.fill('#replay-config', config.replace('    default: cheap', '    default: smart'));
  await page.click('#replay button[type=submit]');
  await page.waitForSelector('#replay-summary');
  observed.replaySummary = (await page.textContent('#replay-summary')).trim();
  observed.replayRows = await page.$$eval('table[data-table="Replay report"] tbody tr', (rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent)));
  await shot('6-replay');
  await page.goto(`${input.base}/ui/traces?min_cost=abc`);
  await page.waitForSelector('#results .problem');
  observed.badFilter = (await page.textContent('#results .problem')).trim();
  observed.badFilterMarked = await page.$eval('input[name=min_cost]', (i) => i.getAttribute('aria-invalid'));

  // Budgets and limits: the scope's use and its refusals.
  await page.click('nav a[data-view=limits]');
  await page.waitForSelector(`tr[data-id="${input.scope}"]`);
  observed.scope = await page.$eval(`tr[data-id="${input.scope}"]`, (r) => [...r.children].map((c) => c.textContent));
  await shot('7-limits');

  // Offline results: the replay report listed, then opened.
  await page.click('nav a[data-view=reports]');
  await page.waitForSelector('table[data-table] tbody tr a');
  observed.reports = await page.$$eval('table[data-table] tbody tr', (rows) => rows.map((r) => r.textContent));
  await shot('8-reports');
  await page.click('table[data-table] tbody tr a');
  await page.waitForURL(/\/ui\/reports\//);
  observed.openedReport = await page.evaluate(() => document.body.innerText);
} finally {
  await browser.close();
}
console.log('observed ' + JSON.stringify(observed));
