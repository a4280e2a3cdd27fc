#!/usr/bin/env node
// Browser checks of the indmon dashboard (`indmon serve`).
//
//   node check.mjs --base http://127.0.0.1:PORT --out DIR
//
// Drives a locally installed Chromium (CHROMIUM, default /usr/bin/chromium) through
// playwright-core, which never downloads a browser. Prints one line per check,
// "PASS name: detail" or "FAIL name: detail" (and "INFO ..." lines), then a summary line
// "browser: N passed, N failed". Exits 0 when every check passed, 1 otherwise.
// See README.md beside this file for what is checked.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const PAGE_TIMEOUT_MS = 30_000;
// the product, material and mutual pages are reached from the pages' tables, not the nav
const START_PATHS = ['/', '/target', '/data', '/data/provenance/eurostat-nama10', '/programmes/semiconductors', '/ledger/login',
  '/dependencies/850511', '/crm/Cobalt', '/mutual?dataset=baci_hs17_semis'];
const LANGS = ['nl', 'en'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const HEADLINE = { nl: '12,0 %', en: '12.0 %' };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// ---------------------------------------------------------------- reporting

let passed = 0;
let failed = 0;
function pass(name, detail = '') {
  passed += 1;
  console.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
}
function fail(name, detail = '') {
  failed += 1;
  console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
}
function check(name, ok, detail = '') {
  (ok ? pass : fail)(name, detail);
  return ok;
}
function info(name, detail) {
  console.log(`INFO ${name}: ${detail}`);
}
function finish() {
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
// Runs one check body; an exception (time-out, missing element, ...) is a FAIL of that check.
async function guarded(name, body) {
  try {
    await body();
  } catch (err) {
    fail(name, oneLine(err));
  }
}
function oneLine(err) {
  const text = err && err.message ? err.message : String(err);
  return text.split('\n').filter((l) => l.trim() !== '')[0] ?? text;
}
function short(text, max = 200) {
  const s = String(text).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if ((a === '--base' || a === '--out') && i + 1 < argv.length) {
      out[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--base=') || a.startsWith('--out=')) {
      const [k, v] = a.slice(2).split(/=(.*)/s);
      out[k] = v;
    } else {
      return null;
    }
  }
  return out.base && out.out ? out : null;
}

const args = parseArgs(process.argv.slice(2));
if (!args) {
  console.error('usage: node check.mjs --base http://127.0.0.1:PORT --out DIR');
  process.exit(1);
}
const BASE = new URL(args.base);
const ORIGIN = BASE.origin;
const OUT = resolve(args.out);
mkdirSync(OUT, { recursive: true });
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// ---------------------------------------------------------------- helpers

// A page is a same-origin path plus its query without `lang`, e.g. "/", "/data".
function pageKey(url) {
  const u = new URL(url, BASE);
  u.searchParams.delete('lang');
  u.hash = '';
  return u.pathname + u.search;
}
function pageUrl(key, lang) {
  const u = new URL(key, BASE);
  if (lang === 'en') u.searchParams.set('lang', 'en');
  return u.href;
}
function slug(key) {
  const s = key.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'index' : s;
}
function normSpace(text) {
  // NBSP, narrow NBSP, thin space and the like count as a plain space.
  return String(text ?? '').replace(/[\s\u00a0\u2007\u2009\u202f]+/g, ' ').trim();
}
function containsTarget(value) {
  if (typeof value === 'number') return value === 15 || value === 0.15;
  if (Array.isArray(value)) return value.some(containsTarget);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === 'target' || containsTarget(v));
  }
  return false;
}
function sameOrigin(url) {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === ORIGIN;
  } catch {
    return false;
  }
}
const withTimeout = (promise, ms, what) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)),
  ]);

// Records securitypolicyviolation events; injected by the browser before any page script,
// so the page's own CSP does not stop it.
const CSP_RECORDER = () => {
  window.__indmonCspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__indmonCspViolations.push(
      `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber || 0}`,
    );
  });
};

// Opens `url` in a fresh context with listeners for console errors, page errors,
// failed same-origin requests and CSP violations.
async function openPage(browser, url) {
  const context = await browser.newContext({
    acceptDownloads: true,
    locale: 'nl-NL',
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  await context.addInitScript(CSP_RECORDER);
  const page = await context.newPage();
  const log = { console: [], csp: [], pageErrors: [], requests: [], downloads: new Set() };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) log.csp.push(text);
    else log.console.push(text);
  });
  page.on('pageerror', (err) => log.pageErrors.push(oneLine(err)));
  page.on('download', (d) => log.downloads.add(d.url()));
  page.on('requestfailed', (req) => {
    if (!sameOrigin(req.url())) return;
    const why = req.failure()?.errorText ?? 'failed';
    // A link or click that turns into a download aborts its navigation request: not an error.
    if (why === 'net::ERR_ABORTED' && log.downloads.has(req.url())) return;
    log.requests.push(`${req.method()} ${req.url()} ${why}`);
  });
  page.on('response', (res) => {
    if (sameOrigin(res.url()) && res.status() >= 400) {
      log.requests.push(`${res.request().method()} ${res.url()} HTTP ${res.status()}`);
    }
  });
  const response = await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
  await settle(page);
  return { context, page, log, response };
}

// Waits until the network is quiet and chart canvases (if any) are in place.
async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: PAGE_TIMEOUT_MS }).catch(() => {});
  await page
    .waitForFunction(() => [...document.querySelectorAll('figure.chart')].every((f) => f.querySelector('canvas, svg')), null, {
      timeout: 5_000,
    })
    .catch(() => {});
  await page.evaluate(() => document.fonts && document.fonts.ready).catch(() => {});
  await page.waitForTimeout(500);
}

async function canvasSize(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c) return null;
    const r = c.getBoundingClientRect();
    return { width: r.width, height: r.height, attrWidth: c.width, attrHeight: c.height };
  }, selector);
}

async function checkCanvas(page, name, figSelector) {
  const size = await canvasSize(page, `${figSelector} canvas`);
  if (!size) return fail(name, `no canvas inside ${figSelector}`);
  check(
    name,
    size.width > 0 && size.height > 0 && size.attrWidth > 0,
    `canvas ${Math.round(size.width)}×${Math.round(size.height)} px (bitmap ${size.attrWidth}×${size.attrHeight})`,
  );
}

async function readDownload(download, saveAs) {
  await download.saveAs(saveAs);
  return readFileSync(saveAs);
}

// Clicks `selector` and returns the downloaded bytes, or for a plain link without a
// `download` attribute fetches its href.
async function downloadFrom(page, selector, saveAs) {
  const el = page.locator(selector).first();
  if ((await el.count()) === 0) throw new Error(`no element ${selector}`);
  const { tag, href, hasDownloadAttr } = await el.evaluate((e) => ({
    tag: e.tagName.toLowerCase(),
    href: e.href || null,
    hasDownloadAttr: e.hasAttribute('download'),
  }));
  if (tag === 'a' && href && !hasDownloadAttr && /^https?:/.test(href)) {
    const res = await page.request.get(href, { timeout: PAGE_TIMEOUT_MS });
    if (!res.ok()) throw new Error(`GET ${href}: HTTP ${res.status()}`);
    const body = await res.body();
    writeFileSync(saveAs, body);
    return { body, how: `fetched ${new URL(href).pathname}` };
  }
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }),
    el.click({ timeout: 10_000 }),
  ]);
  const body = await readDownload(download, saveAs);
  return { body, how: `download "${download.suggestedFilename()}"` };
}

// ---------------------------------------------------------------- per-page checks

async function runAxe(page, name) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const bad = [];
  for (const v of results.violations) {
    const targets = v.nodes.map((n) => n.target.join(' ')).slice(0, 5);
    const more = v.nodes.length > 5 ? ` (+${v.nodes.length - 5} more)` : '';
    const line = `${v.id} [${v.impact}] ${targets.join(', ')}${more}`;
    if (v.impact === 'serious' || v.impact === 'critical') bad.push(line);
    else info(`${name} axe`, line);
  }
  check(
    `${name} axe`,
    bad.length === 0,
    bad.length === 0
      ? `no serious or critical violations (${results.violations.length} minor/moderate)`
      : bad.join('; '),
  );
}

async function checkFigures(page, name) {
  const figures = await page.evaluate(() =>
    [...document.querySelectorAll('figure.chart')].map((f, i) => ({
      id: f.id ? `#${f.id}` : `figure.chart[${i}]`,
      caption: !!f.querySelector('figcaption') && f.querySelector('figcaption').textContent.trim() !== '',
      table: !!f.querySelector('details table'),
      sourceLink: !!f.querySelector('.source a[href]'),
    })),
  );
  for (const f of figures) {
    const missing = [];
    if (!f.caption) missing.push('figcaption');
    if (!f.table) missing.push('details table');
    if (!f.sourceLink) missing.push('.source with a link');
    check(`${name} figure ${f.id}`, missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : 'figcaption, details table, source link');
  }
  return figures.length;
}

async function headlineText(page) {
  return normSpace(await page.locator('#headline-share').first().textContent({ timeout: 5_000 }));
}

async function checkOverview(page, name, lang) {
  await guarded(`${name} headline`, async () => {
    const text = await headlineText(page);
    check(`${name} headline`, text === HEADLINE[lang], `#headline-share "${text}", expected "${HEADLINE[lang]}"`);
  });
  await guarded(`${name} #fig-share chart`, () => checkCanvas(page, `${name} #fig-share chart`, '#fig-share'));
  await guarded(`${name} #fig-share data`, async () => {
    const raw = await page.evaluate(() => {
      const s = document.querySelector('script#fig-share-data[type="application/json"]');
      return s ? s.textContent : null;
    });
    if (raw === null) return fail(`${name} #fig-share data`, 'no script#fig-share-data[type="application/json"]');
    let data;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      return fail(`${name} #fig-share data`, `not JSON: ${oneLine(err)}`);
    }
    check(`${name} #fig-share data`, containsTarget(data), `JSON of ${raw.length} bytes; target ("target" key or 15 / 0.15) ${containsTarget(data) ? 'found' : 'not found'}`);
  });
  await guarded(`${name} #fig-share table`, async () => {
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('#fig-share details table tr')].map((tr) => tr.textContent),
    );
    if (rows.length === 0) return fail(`${name} #fig-share table`, 'no table rows in #fig-share details');
    check(`${name} #fig-share table`, rows.some((r) => r.includes('2023')), `${rows.length} rows; a row with 2023 ${rows.some((r) => r.includes('2023')) ? 'found' : 'missing'}`);
  });

  // The tooltip: hovering the chart shows the table row of the year under the pointer
  // (the CSP check below also covers what the tooltip inserts).
  await guarded(`${name} #fig-share tooltip`, async () => {
    const box = await page.locator('#fig-share canvas').first().boundingBox();
    if (!box) return fail(`${name} #fig-share tooltip`, 'no canvas box');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.waitForTimeout(600);
    const text = await page.evaluate(() => {
      const t = document.querySelector('#fig-share .chart-tooltip');
      if (!t) return null;
      const st = getComputedStyle(t);
      return st.display === 'none' || st.visibility === 'hidden' || st.opacity === '0' ? '' : t.textContent;
    });
    check(`${name} #fig-share tooltip`, !!text && /(19|20)\d\d/.test(text), `tooltip "${short(text ?? 'missing', 120)}"`);
  });

  const base = join(OUT, `${slug('/')}-${lang}-fig-share`);
  await guarded(`${name} download png`, async () => {
    const { body, how } = await downloadFrom(page, '#fig-share [data-download="png"]', `${base}.png`);
    check(`${name} download png`, body.subarray(0, 8).equals(PNG_SIGNATURE), `${how}, ${body.length} bytes`);
  });
  await guarded(`${name} download svg`, async () => {
    const { body, how } = await downloadFrom(page, '#fig-share [data-download="svg"]', `${base}.svg`);
    check(`${name} download svg`, body.toString('utf8').includes('<svg'), `${how}, ${body.length} bytes`);
  });
  await guarded(`${name} download csv`, async () => {
    const { body, how } = await downloadFrom(page, '#fig-share a[data-download="csv"]', `${base}.csv`);
    const first = body.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    check(`${name} download csv`, first.includes('year'), `${how}, first line "${short(first, 120)}"`);
  });
}

async function checkTarget(page, name) {
  for (const fig of ['#fig-decomposition', '#fig-outlook']) {
    await guarded(`${name} ${fig} chart`, () => checkCanvas(page, `${name} ${fig} chart`, fig));
  }
}

async function checkData(page, name) {
  await guarded(`${name} #table-sources`, async () => {
    const rows = await page.evaluate(() => {
      const t = document.querySelector('table#table-sources');
      return t ? [...t.querySelectorAll('tr')].filter((tr) => tr.querySelector('td')).length : null;
    });
    if (rows === null) return fail(`${name} #table-sources`, 'no table#table-sources');
    check(`${name} #table-sources`, rows >= 1, `${rows} data rows`);
  });
}

// Visits one page in one language; returns the same-origin pages its main nav links to.
async function visit(browser, key, lang) {
  const name = `${key} [${lang}]`;
  const url = pageUrl(key, lang);
  let opened;
  try {
    opened = await openPage(browser, url);
  } catch (err) {
    fail(`${name} load`, oneLine(err));
    return [];
  }
  const { context, page, log, response } = opened;
  const found = [];
  try {
    check(`${name} load`, !!response && response.ok(), `GET ${url}: HTTP ${response ? response.status() : 'no response'}`);
    const csp = response ? response.headers()['content-security-policy'] : undefined;
    info(`${name} csp header`, csp ? short(csp, 300) : 'none');

    await guarded(`${name} html lang`, async () => {
      const htmlLang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
      check(`${name} html lang`, htmlLang === lang, `<html lang="${htmlLang}">`);
    });
    await guarded(`${name} main nav`, async () => {
      const hrefs = await page.evaluate(() =>
        [...document.querySelectorAll('nav#main-nav a[href]')].map((a) => a.href),
      );
      check(`${name} main nav`, hrefs.length > 0, `${hrefs.length} links in nav#main-nav`);
      for (const h of hrefs) if (sameOrigin(h)) found.push(pageKey(h));
    });
    await guarded(`${name} screenshot`, async () => {
      const file = join(OUT, `${slug(key)}-${lang}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: PAGE_TIMEOUT_MS });
      pass(`${name} screenshot`, file);
    });
    await guarded(`${name} axe`, () => runAxe(page, name));
    const figures = await checkFigures(page, name).catch((err) => {
      fail(`${name} figures`, oneLine(err));
      return 0;
    });
    info(`${name} figures`, `${figures} figure.chart`);

    if (key === '/') await checkOverview(page, name, lang);
    if (key === '/target') await checkTarget(page, name);
    if (key === '/data') await checkData(page, name);
    if (key === '/dependencies') await checkPointLink(page, name, '#fig-dependencies', '850511', '/dependencies/850511');
    if (key === '/crm') await checkPointLink(page, name, '#fig-crm', 'Cobalt', '/crm/Cobalt');

    // Everything the page did up to here, downloads included.
    await page.waitForTimeout(200);
    const violations = await page.evaluate(() => window.__indmonCspViolations ?? []).catch(() => []);
    // securitypolicyviolation events are precise; Chromium's console messages say the same
    // at length, so they count only when no event was seen (e.g. one from a worker).
    const cspAll = violations.length > 0 ? [...new Set(violations)] : [...new Set(log.csp)];
    check(`${name} console errors`, log.console.length === 0, log.console.length ? log.console.map((t) => short(t)).join(' | ') : 'none');
    check(`${name} page errors`, log.pageErrors.length === 0, log.pageErrors.length ? log.pageErrors.map((t) => short(t)).join(' | ') : 'none');
    check(`${name} requests`, log.requests.length === 0, log.requests.length ? log.requests.map((t) => short(t)).join(' | ') : 'no failed same-origin requests');
    check(`${name} csp`, cspAll.length === 0, cspAll.length ? cspAll.map((t) => short(t)).join(' | ') : 'no violations');

    if (key === '/') await checkLangToggle(page, name, lang);
  } finally {
    await context.close().catch(() => {});
  }
  return found;
}

// A click on the scatter point named `point` (or starting with it) opens `path` in the
// page's language.
async function checkPointLink(page, name, figSelector, point, path) {
  await guarded(`${name} point link`, async () => {
    const xy = await page.evaluate(([sel, want]) => {
      const el = document.querySelector(`${sel} .chart-canvas`);
      if (el) el.scrollIntoView({ block: "center" });
      const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      if (!chart) return null;
      const series = chart.getOption().series;
      for (let s = 0; s < series.length; s += 1) {
        const i = series[s].data.findIndex((d) => d && typeof d.name === 'string' && d.name.startsWith(want));
        if (i >= 0) {
          const [x, y] = chart.convertToPixel({ seriesIndex: s }, series[s].data[i].value);
          const r = el.getBoundingClientRect();
          return [r.left + x, r.top + y];
        }
      }
      return null;
    }, [figSelector, point]);
    if (!xy) {
      fail(`${name} point link`, `no point ${point} in ${figSelector}`);
      return;
    }
    const before = page.url();
    await page.mouse.move(xy[0], xy[1]);
    await Promise.all([
      page.waitForURL((u) => u.pathname === path, { timeout: 10_000 }),
      page.mouse.click(xy[0], xy[1]),
    ]);
    const after = new URL(page.url());
    const keepsLang = new URL(before).searchParams.get('lang') === after.searchParams.get('lang');
    check(`${name} point link`, after.pathname === path && keepsLang, `click on ${point}: ${before} -> ${page.url()}`);
  });
}

// On `/`, #lang-toggle leads to the other language.
async function checkLangToggle(page, name, lang) {
  const other = lang === 'nl' ? 'en' : 'nl';
  await guarded(`${name} lang toggle`, async () => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load', timeout: PAGE_TIMEOUT_MS }),
      page.locator('#lang-toggle').first().click({ timeout: 10_000 }),
    ]);
    const htmlLang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
    const text = await headlineText(page);
    check(
      `${name} lang toggle`,
      htmlLang === other && text === HEADLINE[other],
      `after #lang-toggle: ${page.url()} <html lang="${htmlLang}">, #headline-share "${text}" (expected "${other}", "${HEADLINE[other]}")`,
    );
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  let browser;
  try {
    // launch() starts Chromium with a fresh temporary user-data dir of its own and removes
    // it on close; a fresh context per page keeps cookies (e.g. a language cookie) from
    // leaking between pages, which launchPersistentContext's single context would not.
    browser = await withTimeout(
      chromium.launch({
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: PAGE_TIMEOUT_MS,
      }),
      PAGE_TIMEOUT_MS + 5_000,
      'chromium launch',
    );
    info('browser', `${executablePath} ${browser.version()}`);
  } catch (err) {
    fail('launch chromium', `${executablePath}: ${oneLine(err)}`);
    finish();
  }

  try {
    const queue = [...START_PATHS];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const key = queue.shift();
      for (const lang of LANGS) {
        const links = await visit(browser, key, lang);
        for (const k of links) {
          if (!seen.has(k)) {
            seen.add(k);
            queue.push(k);
          }
        }
      }
    }
    info('pages', [...seen].join(' '));
  } catch (err) {
    fail('run', oneLine(err));
  } finally {
    await browser.close().catch(() => {});
  }
  finish();
}

main();
