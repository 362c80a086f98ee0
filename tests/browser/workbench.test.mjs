// The web workbench in a real browser (issue 8, point 3): headless Chromium
// (Debian's) driven by playwright-core, against `segrule serve` started here.
//
//   node tests/browser/workbench.test.mjs --segrule BUILD/segrule --out DIR
//
// Run from the repository root (tests/browser/run.sh checks node and the npm
// install first). Screenshots of every step go to DIR; the path is printed.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const STEP_TIMEOUT_MS = 8000;   // one step's wait for the page
const WHOLE_TEST_MS = 55000;    // the whole test, server and browser included
const RULES = 'rulesets/retail-2025.seg';
const CASES = 'rulesets/retail-2025.test.yaml';
const CUSTOMERS = 'examples/customers.jsonl';
const AS_OF = '2025-06-30';

function args() {
  const out = { segrule: 'build/segrule', out: 'build/browser-artifacts', chromium: process.env.SEGRULE_CHROMIUM || '/usr/bin/chromium' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in out) || argv[i + 1] === undefined) fatal(`usage: node workbench.test.mjs [--segrule PATH] [--out DIR] [--chromium PATH]; got ${argv.join(' ')}`);
    out[name] = argv[i + 1];
  }
  return out;
}

function fatal(text) {
  console.error(`FAIL: ${text}`);
  process.exit(1);
}

const options = args();
const installHint = 'run scripts/install-deps (it installs chromium and runs `npm ci` in tests/browser)';
if (!existsSync(options.chromium)) fatal(`Chromium not found at ${options.chromium}: ${installHint}`);
if (!existsSync(options.segrule)) fatal(`segrule not found at ${options.segrule}: build it first`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fatal(`cannot load playwright-core (${e.message}): ${installHint}`);
}

const screenshots = resolve(options.out);
mkdirSync(screenshots, { recursive: true });
const rulesDir = mkdtempSync(join(tmpdir(), 'segrule-browser-'));
copyFileSync(RULES, join(rulesDir, 'retail-2025.seg'));

let server = null;
let browser = null;
let serverLog = '';

async function cleanUp() {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((done) => { server.once('exit', done); setTimeout(done, 3000); });
  }
  rmSync(rulesDir, { recursive: true, force: true });
}

// However the test ends, the server it started does not outlive it.
process.on('exit', () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(rulesDir, { recursive: true, force: true });
});

const watchdog = setTimeout(async () => {
  console.error(`FAIL: the test took longer than ${WHOLE_TEST_MS / 1000} s`);
  await cleanUp();
  process.exit(1);
}, WHOLE_TEST_MS);

// Starts `segrule serve --port 0` and returns its URL from the "listening on" line.
function startServer() {
  return new Promise((done, failed) => {
    server = spawn(options.segrule, ['serve', '--port', '0', '--rules', rulesDir, '--as-of', AS_OF, '--watch-interval', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => failed(new Error(`no "listening on" line within 10 s; output:\n${serverLog}`)), 10000);
    const read = (chunk) => {
      serverLog += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(serverLog);
      if (m) { clearTimeout(timer); done(m[1]); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('exit', (code) => { clearTimeout(timer); failed(new Error(`segrule serve exited with ${code}:\n${serverLog}`)); });
  });
}

let page;
let stepNumber = 0;
const pageErrors = [];

async function shot(name) {
  const file = join(screenshots, `${String(stepNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// One step of the scenario: a screenshot after it, or a clear failure.
async function step(name, action) {
  stepNumber++;
  try {
    await action();
    await shot(name);
    console.log(`ok   ${stepNumber} ${name}`);
  } catch (e) {
    console.log(`FAIL ${stepNumber} ${name}\n  ${String(e.message).split('\n').join('\n  ')}`);
    if (page) console.log(`  screenshot: ${await shot(`${name}-FAILED`).catch(() => '(none)')}`);
    if (pageErrors.length) console.log(`  page errors:\n    ${pageErrors.join('\n    ')}`);
    console.log(`  server log (tail):\n    ${serverLog.split('\n').slice(-15).join('\n    ')}`);
    await cleanUp();
    process.exit(1);
  }
}

// Waits until `predicate` (run in the page) returns a truthy value; fails with `what`.
async function until(what, predicate, arg) {
  try {
    return await page.waitForFunction(predicate, arg, { timeout: STEP_TIMEOUT_MS, polling: 50 });
  } catch {
    throw new Error(`timed out after ${STEP_TIMEOUT_MS / 1000} s waiting for: ${what}`);
  }
}

// Waits for the check of the text as it is now (the editor marks its
// diagnostics stale on every keystroke until the next answer arrives).
const checked = () => until('the check of the edited text', () => !document.getElementById('highlight').classList.contains('stale')
  && document.getElementById('check-status').dataset.compiles !== '');

// Text no panel should ever show: a value rendered as an object, or a hole.
async function expectCleanText(selector) {
  const text = await page.textContent(selector);
  for (const junk of ['[object', 'undefined', 'NaN'])
    expect(!text.includes(junk), `${selector} shows "${junk}": ${text.slice(Math.max(0, text.indexOf(junk) - 80), text.indexOf(junk) + 40)}`);
}

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

// Puts the caret right after `needle` on line LINE of the editor (1-based).
async function caretAfter(line, needle) {
  const found = await page.evaluate(([line, needle]) => {
    const editor = document.getElementById('editor');
    const lines = editor.value.split('\n');
    const at = lines[line - 1]?.indexOf(needle);
    if (at === undefined || at < 0) return false;
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + at + needle.length;
    editor.focus();
    editor.setSelectionRange(offset, offset);
    return true;
  }, [line, needle]);
  expect(found, `line ${line} of the editor does not contain ${JSON.stringify(needle)}`);
}

const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const rulesText = readFileSync(RULES, 'utf8');
const platinumLine = lineOf(rulesText, 'platinum "铂金客户"');
const goldLine = lineOf(rulesText, 'gold     "黄金客户"');
expect(platinumLine > 0 && goldLine > 0, `${RULES} no longer has the platinum and gold rows this test edits`);

const url = await startServer().catch((e) => fatal(e.message));
console.log(`segrule serve at ${url}; screenshots in ${screenshots}`);
browser = await chromium.launch({ executablePath: options.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  .catch((e) => fatal(`cannot start ${options.chromium}: ${e.message}`));
const context = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
page = await context.newPage();
page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`); });
// The workbench works offline: every request goes to the service itself.
page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) pageErrors.push(`request outside the service: ${r.url()}`); });
page.on('response', (r) => { if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`); });

await step('loaded', async () => {
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  await until('the ruleset text in the editor', () => document.getElementById('editor').value.includes('ruleset retail_2025'));
  await until('the first check to say the rules compile', () => document.getElementById('check-status').dataset.compiles === 'true');
  const picked = await page.$eval('#ruleset-picker', (s) => s.options[s.selectedIndex].textContent);
  expect(picked.includes('retail_2025') && picked.includes('零售客户分层分类与服务策略'), `the picker shows ${JSON.stringify(picked)}`);
  const lines = await page.$$eval('#gutter .gl', (g) => g.length);
  expect(lines === rulesText.split('\n').length, `the gutter has ${lines} line numbers for ${rulesText.split('\n').length} lines`);
  const coloured = await page.$$eval('#highlight .t-keyword', (k) => k.length);
  expect(coloured > 10, `only ${coloured} keywords are coloured`);
  const number = await page.$eval(`#highlight .ln[data-line="${platinumLine}"]`, (l) => [...l.querySelectorAll('.t-number')].map((n) => n.textContent));
  expect(number.includes('100万'), `500万-style numbers are not coloured as numbers on line ${platinumLine}: ${JSON.stringify(number)}`);
});

await step('error-at-its-line', async () => {
  // Misspell a field, typing as an analyst would.
  await caretAfter(platinumLine, 'when aum');
  await page.keyboard.type('m');
  await checked();
  await until(`a diagnostic for line ${platinumLine} in the list`, (line) =>
    [...document.querySelectorAll('[data-testid="diagnostic"]')].some((d) => d.dataset.line === String(line) && d.textContent.includes('aumm')), platinumLine);
  const gutter = await page.$eval(`#gutter .gl[data-line="${platinumLine}"]`, (g) => g.className);
  expect(gutter.includes('has-error'), `the gutter of line ${platinumLine} has no error marker (class ${gutter})`);
  const inline = await page.$eval(`#highlight .ln[data-line="${platinumLine}"]`, (l) => ({
    message: l.querySelector('.inline-message')?.textContent || '',
    underlined: [...l.querySelectorAll('.squiggle-error')].map((s) => s.textContent).join(''),
  }));
  expect(inline.message.includes('unknown name `aumm`'), `line ${platinumLine} shows ${JSON.stringify(inline.message)} in the line, not the error`);
  expect(inline.underlined === 'aumm', `the underline covers ${JSON.stringify(inline.underlined)}, not the misspelt name`);
  const others = await page.$$eval('#gutter .gl.has-error', (g) => g.map((x) => x.dataset.line));
  expect(others.length === 1, `error markers on lines ${others.join(', ')}; expected only ${platinumLine}`);
  expect((await page.textContent('#check-status')).includes('1 error'), 'the status does not say 1 error');

  // Clicking the diagnostic puts the caret at its line and column.
  await page.click('#editor-scroll', { position: { x: 200, y: 10 } });
  await page.click(`[data-testid="diagnostic"][data-line="${platinumLine}"]`);
  const caret = await page.evaluate(() => {
    const e = document.getElementById('editor');
    const before = e.value.slice(0, e.selectionStart).split('\n');
    return { line: before.length, column: Array.from(before[before.length - 1]).length + 1, focused: document.activeElement === e };
  });
  const misspelt = rulesText.split('\n')[platinumLine - 1].replace('when aum', 'when aumm');
  const column = Array.from(misspelt.slice(0, misspelt.indexOf('aumm'))).length + 1;
  expect(caret.focused && caret.line === platinumLine && caret.column === column,
    `clicking the diagnostic put the caret at ${caret.line}:${caret.column} (focused: ${caret.focused}), not at ${platinumLine}:${column}`);
});

await step('error-fixed', async () => {
  // Delete the extra `m`.
  await caretAfter(platinumLine, 'when aumm');
  await page.keyboard.press('Backspace');
  await checked();
  await until('the diagnostics to clear', () => document.getElementById('check-status').dataset.compiles === 'true'
    && document.querySelectorAll('[data-testid="diagnostic"]').length === 0);
  const markers = await page.$$eval('#gutter .gl.has-error, #gutter .gl.has-warning, #highlight .inline-message', (m) => m.length);
  expect(markers === 0, `${markers} markers or messages remain after the fix`);
  expect(await page.isHidden('#edited-badge'), 'the text is back to the loaded version but the page says it is edited');
});

await step('evaluated-with-explain', async () => {
  await page.setInputFiles('#jsonl-file', CUSTOMERS);
  await until('the record picker to list the uploaded customers', () => document.querySelectorAll('#record-picker option').length > 0);
  const firstKey = JSON.parse(readFileSync(CUSTOMERS, 'utf8').split('\n')[0]).id;
  const sample = await page.inputValue('#sample-json');
  expect(sample.includes(firstKey), `the sample is not the first uploaded record ${firstKey}`);
  await page.fill('#as-of', AS_OF);
  await page.click('#evaluate');
  await until('the result and the explain trace', () => document.querySelector('#explain .explain-row.matched'));
  // What the command line says for the same record is what the page shows.
  const cli = JSON.parse(execFileSync(options.segrule, ['eval', RULES, '--input', '-', '--as-of', AS_OF], { input: readFileSync(CUSTOMERS, 'utf8').split('\n')[0] + '\n', stdio: ['pipe', 'pipe', 'ignore'] }).toString());
  const shownTier = await page.$eval('#result tr[data-field="value_tier"] td code', (c) => c.textContent);
  expect(shownTier === cli.value_tier, `the result shows tier ${shownTier}; segrule eval says ${cli.value_tier}`);
  const matched = await page.$$eval('#explain [data-decision="value_tier"] .explain-row.matched', (rows) => rows.map((r) => ({ id: r.dataset.id, text: r.textContent })));
  expect(matched.length === 1 && matched[0].id === cli.value_tier, `the explain panel highlights ${JSON.stringify(matched)}; expected the one row ${cli.value_tier}`);
  expect(matched[0].text.includes('黄金客户'), `the matched row does not show its Chinese label: ${matched[0].text}`);
  const tried = await page.$$eval('#explain [data-decision="value_tier"] .explain-row.not_matched', (rows) => rows.map((r) => r.dataset.id));
  expect(tried.join() === 'private,platinum', `rows tried before the match: ${tried.join()}`);
  const account = await page.textContent('[data-testid="explain-account"]');
  expect(account.includes(`→ value_tier = ${cli.value_tier} (黄金客户)`), 'the text account does not end the tiers with the matched tier');
  // The Chinese label is drawn with a font that has the glyphs, not boxes.
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#explain [data-decision="value_tier"] .explain-row.matched .label-zh' });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  const cjk = fonts.find((f) => /CJK|WenQuanYi|Hei|Han Sans|Song|Ming|Kai|Sarasa|Fallback|AR PL/i.test(f.familyName));
  expect(cjk, `the label 黄金客户 is drawn with ${JSON.stringify(fonts)}: no Chinese font; ${installHint}`);
  await expectCleanText('#result');
  await expectCleanText('#explain');
  await page.$eval('#explain', (e) => e.scrollIntoView());
});

await step('cases', async () => {
  await page.click('#tab-cases');
  await page.setInputFiles('#cases-file', CASES);
  await until('the case file in the textarea', () => document.getElementById('cases-text').value.includes('cases:'));
  await page.click('#cases-run');
  await until('the case results', () => document.querySelector('[data-testid="cases-summary"]'));
  const cli = execFileSync(options.segrule, ['test', RULES, CASES]).toString().trim().split('\n');
  const summary = await page.textContent('[data-testid="cases-summary"]');
  expect(summary.trim() === cli[cli.length - 1], `the page says ${JSON.stringify(summary)}; segrule test says ${JSON.stringify(cli[cli.length - 1])}`);
  const coverage = cli.find((l) => l.startsWith('coverage:'));
  expect((await page.textContent('[data-testid="cases-report"]')).includes(coverage), `the report has no ${coverage}`);
  // A wrong expectation fails, and its FAIL entry links to its line of the case file.
  const cases = await page.inputValue('#cases-text');
  expect(cases.includes('value_tier: private'), 'the case file has no `value_tier: private` to break');
  await page.fill('#cases-text', cases.replace('value_tier: private', 'value_tier: gold'));
  await page.click('#cases-run');
  await until('one failing case', () => /\b1 failed/.test(document.querySelector('[data-testid="cases-summary"]')?.textContent || ''));
  await expectCleanText('#cases-output');
  const failure = await page.textContent('#cases-output details.case.fail');
  expect(failure.includes('value_tier: expected gold, actual private'), `the failure says ${failure.slice(0, 300)}`);
});

await step('diff-and-impact', async () => {
  // Raise the gold threshold: some gold customers become vip.
  await caretAfter(goldLine, 'aum >= 2');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('3');
  await checked();
  await until('the edit to check clean', () => document.getElementById('check-status').dataset.compiles === 'true');
  expect(await page.isVisible('#edited-badge'), 'the page does not say the text is edited');
  await page.click('#tab-diff');
  await page.click('#diff-run');
  await until('the diff and the impact', () => document.querySelector('[data-testid="diff-declaration"]') && document.querySelector('[data-testid="impact-summary"]'));
  const declaration = await page.textContent('[data-testid="diff-declaration"][data-name="value_tier"]');
  expect(declaration.includes('aum >= 20万') && declaration.includes('aum >= 30万'), `the diff of value_tier says ${declaration}`);
  const textDiff = await page.$$eval('[data-testid="text-diff"] .td-add, [data-testid="text-diff"] .td-del', (l) => l.map((x) => x.textContent));
  expect(textDiff.length === 2 && textDiff[0].includes('- ') && textDiff[0].includes('20万') && textDiff[1].includes(`${goldLine}+ `) && textDiff[1].includes('30万'),
    `the text changes show ${JSON.stringify(textDiff)}; expected line ${goldLine} removed with 20万 and added with 30万`);
  // The impact on the uploaded customers is what `segrule impact` counts.
  const edited = join(rulesDir, 'edited.seg.txt');
  const editedText = await page.inputValue('#editor');
  writeFileSync(edited, editedText);
  let report;
  try {
    report = execFileSync(options.segrule, ['impact', RULES, edited, '--input', CUSTOMERS, '--json', '--as-of', AS_OF]).toString();
  } catch (e) {
    report = e.stdout.toString(); // exit 1: something changed
  }
  const totals = JSON.parse(report).totals;
  const summary = await page.textContent('[data-testid="impact-summary"]');
  expect(summary.includes(`${totals.read} 条记录`) && summary.includes(`(${totals.changed} changed, ${totals.unchanged} unchanged)`),
    `the page says ${JSON.stringify(summary)}; segrule impact counts ${JSON.stringify(totals)}`);
  await expectCleanText('#diff-output');
  await expectCleanText('#text-diff-output');
  await expectCleanText('#impact-output');
  const moved = await page.$$eval('[data-testid="impact-matrix"] td.moved', (cells) => cells.map((c) => c.textContent));
  expect(moved.length === 1 && Number(moved[0]) === totals.changed, `the tier matrix shows moves ${JSON.stringify(moved)}; expected one cell of ${totals.changed}`);
});

await step('hot-reload', async () => {
  // Revert, then a new version lands in the rules directory: the page follows it.
  expect(rulesText.includes('version   "2025.05"'), `${RULES} no longer has the version line this step changes`);
  await page.click('#revert');
  await until('the text to be the version serving again', () => document.getElementById('edited-badge').hidden);
  writeFileSync(join(rulesDir, 'retail-2025.seg'), rulesText.replace('version   "2025.05"', 'version   "2025.06"'));
  await until('the page to show the reloaded version 2025.06', () => document.getElementById('ruleset-info').textContent.includes('version 2025.06')
    && document.getElementById('editor').value.includes('"2025.06"'));
  await checked();
  expect(await page.$eval('#diff-output', (d) => d.classList.contains('outdated')), 'the diff of the old text is not marked out of date');
});

clearTimeout(watchdog);
await cleanUp();
if (pageErrors.length) fatal(`errors in the page:\n  ${pageErrors.join('\n  ')}`);
// SIGTERM drains and exits 0; anything else (a sanitizer report) is a failure.
if (server.exitCode !== 0) fatal(`segrule serve exited with ${server.exitCode ?? server.signalCode} after SIGTERM:\n${serverLog.split('\n').slice(-30).join('\n')}`);
console.log(`all ${stepNumber} steps passed; screenshots in ${screenshots}`);
