// The workbench: wires the panels to `segrule serve` (docs/workbench.md).
import { ApiError, RawJson, getJson, parseExact, postJson, prettyExact, stringifyExact } from './api.js';
import { Editor } from './editor.js';
import { el, message, renderCases, renderDiagnosticList, renderDiff, renderExplain, renderImpact, renderResult, renderTextDiff } from './render.js';

const $ = (id) => document.getElementById(id);
const CHECK_DELAY_MS = 300;

const state = {
  rulesets: [],         // GET /v1/rulesets
  current: null,        // the entry being edited (GET /v1/rulesets/{name})
  loadedText: '',       // its text as served: what Revert and Diff compare with
  drafts: new Map(),    // name -> edited text, kept when switching rulesets
  checkSeq: 0,          // answers to older checks are dropped
  jsonl: null,          // {name, text, lines: [{number, text, key}]} of the uploaded sample
  casesName: '',        // the uploaded case file's name, for the report
};

const editor = new Editor({ textarea: $('editor'), highlight: $('highlight'), gutter: $('gutter'), scroller: $('editor-scroll') });

function showProblem(node, text) {
  node.hidden = !text;
  node.textContent = text || '';
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.classList.toggle('busy', busy);
}

// Runs an action for a button: busy while it runs, errors shown in `target`.
async function run(button, target, action) {
  setBusy(button, true);
  try {
    await action();
  } catch (e) {
    target.replaceChildren(el('div', { class: 'banner error', 'data-testid': 'request-error' }, e instanceof ApiError ? e.message : `${e.name}: ${e.message}`));
  } finally {
    setBusy(button, false);
  }
}

// ---- rulesets ------------------------------------------------------------------------

function fillPicker() {
  const picker = $('ruleset-picker');
  const selected = picker.value;
  picker.replaceChildren(...state.rulesets.map((r) => el('option', { value: r.name },
    `${r.name}${r.title ? ` — ${r.title}` : ''}${r.version ? ` (${r.version})` : ''}${r.status === 'error' ? ' ⚠' : ''}`)));
  if (selected && state.rulesets.some((r) => r.name === selected)) picker.value = selected;
}

async function loadRulesetList() {
  try {
    const answer = await getJson('/v1/rulesets');
    state.rulesets = answer.rulesets || [];
  } catch (e) {
    showProblem($('load-problem'), `不能列出规则集 (cannot list the rulesets): ${e.message}`);
    return;
  }
  fillPicker();
  const picker = $('ruleset-picker');
  if (!state.rulesets.length) {
    picker.append(el('option', { value: '' }, '(没有规则集 no rulesets)'));
    return;
  }
  const wanted = new URLSearchParams(location.search).get('ruleset');
  const first = state.rulesets.find((r) => r.name === wanted) || state.rulesets.find((r) => r.status === 'ok') || state.rulesets[0];
  picker.value = first.name;
  await openRuleset(first.name);
}

async function openRuleset(name) {
  if (state.current && editor.text !== state.loadedText) state.drafts.set(state.current.name, editor.text);
  let entry;
  try {
    entry = await getJson(`/v1/rulesets/${encodeURIComponent(name)}`);
  } catch (e) {
    showProblem($('load-problem'), `不能读取规则集 ${name}: ${e.message}`);
    return;
  }
  state.current = entry;
  state.loadedText = entry.text || '';
  $('ruleset-info').textContent = [entry.file, entry.version && `version ${entry.version}`, entry.effective && `effective ${entry.effective}`,
    entry.content_hash && `hash ${String(entry.content_hash).slice(0, 12)}`].filter(Boolean).join(' · ');
  $('ruleset-info').title = entry.loaded_at ? `loaded at ${entry.loaded_at}` : '';
  // A file that does not compile keeps serving its last good version; say so.
  const file = entry.file || name;
  showProblem($('load-problem'), entry.status !== 'error' ? ''
    : entry.serving === false
      ? `${file} 不能编译，没有可用版本 (the file does not compile and no version of it is serving):\n${entry.diagnostics || ''}`
      : `${file} 当前不能编译，服务的是上一个可用版本 (the file on disk does not compile; the last good version is serving):\n${entry.diagnostics || ''}`);
  editor.setText(state.drafts.get(name) ?? state.loadedText);
  updateEdited();
  markOutputs(true);
  scheduleCheck(0);
}

function updateEdited() {
  const edited = editor.text !== state.loadedText;
  $('edited-badge').hidden = !edited;
  $('revert').disabled = !edited;
}

// ---- check as you type ----------------------------------------------------------

// The file name diagnostics and reports show for the text being edited.
const rulesName = () => state.current?.file || 'rules.seg';

let checkTimer = null;
function scheduleCheck(delay = CHECK_DELAY_MS) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, delay);
}

async function runCheck() {
  const seq = ++state.checkSeq;
  const status = $('check-status');
  status.className = 'check-status checking';
  status.dataset.compiles = '';
  status.textContent = '检查中… checking';
  let answer;
  try {
    answer = await postJson('/v1/check', { rules: editor.text, name: rulesName(), analysis: $('analysis').checked });
  } catch (e) {
    if (seq !== state.checkSeq) return;
    status.className = 'check-status failed';
    status.textContent = `检查失败 check failed: ${e.message}`;
    return;
  }
  if (seq !== state.checkSeq) return; // the text changed since; a newer check is on its way
  const diagnostics = answer.diagnostics || [];
  editor.setDiagnostics(diagnostics);
  $('diagnostics').replaceChildren(...(diagnostics.length ? renderDiagnosticList(diagnostics) : [el('li', { class: 'muted' }, '没有诊断 (no diagnostics)')]));
  status.className = `check-status ${answer.compiles ? (answer.warnings ? 'warnings' : 'ok') : 'errors'}`;
  status.dataset.compiles = String(answer.compiles);
  status.textContent = answer.compiles
    ? `✓ 可以编译 compiles${answer.warnings ? ` · ${answer.warnings} warning${answer.warnings > 1 ? 's' : ''}` : ''}`
    : `✖ ${answer.errors} error${answer.errors > 1 ? 's' : ''}${answer.warnings ? ` · ${answer.warnings} warning${answer.warnings > 1 ? 's' : ''}` : ''}`;
}

// Answers about an older text stay readable but dimmed, with a title saying so.
const OUTPUTS = ['result', 'explain', 'diff-output', 'text-diff-output', 'impact-output', 'cases-output'];
function markOutputs(stale, ids = OUTPUTS) {
  for (const id of ids) {
    $(id).classList.toggle('outdated', stale && $(id).childElementCount > 0);
    $(id).title = stale ? '规则已修改，请重新运行 (the rules changed since: run again)' : '';
  }
}

editor.onChange = () => {
  updateEdited();
  scheduleCheck();
  markOutputs(true);
};

// A diagnostic of the rule text (under the editor, or in a panel) moves the caret to it.
document.addEventListener('click', (e) => {
  const item = e.target.closest('li.diagnostic[data-line]');
  if (item && item.dataset.line && !e.target.closest('a')) editor.goTo(Number(item.dataset.line), Number(item.dataset.column));
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && e.target.matches?.('li.diagnostic[data-line]')) e.target.click();
});
$('analysis').addEventListener('change', () => scheduleCheck(0));
$('ruleset-picker').addEventListener('change', (e) => e.target.value && openRuleset(e.target.value));
$('revert').addEventListener('click', () => {
  if (!state.current) return;
  state.drafts.delete(state.current.name);
  editor.setText(state.loadedText); // so openRuleset keeps no draft
  openRuleset(state.current.name);
});

// Any "line N" link in the panels moves the editor's caret there.
document.addEventListener('click', (e) => {
  const link = e.target.closest('a.line-link');
  if (!link) return;
  e.preventDefault();
  editor.goTo(Number(link.dataset.line), 1);
});

// ---- sample customer ----------------------------------------------------------

// The sample as JSON text, checked to be one object (its numbers are sent as typed).
function sampleText() {
  const text = $('sample-json').value.trim();
  if (!text) throw new Error('请先填写或选择一条客户记录 (enter or pick a customer record first).');
  let value;
  try {
    value = parseExact(text);
  } catch (e) {
    throw new Error(`样本不是合法的 JSON (the sample is not JSON): ${e.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('样本必须是一个 JSON 对象 (the sample must be one JSON object).');
  return text;
}

async function evaluate() {
  showProblem($('sample-error'), '');
  let record;
  try {
    record = sampleText();
  } catch (e) {
    showProblem($('sample-error'), e.message);
    return;
  }
  markOutputs(false, ['result', 'explain']);
  await run($('evaluate'), $('result'), async () => {
    $('explain').replaceChildren(message('…'));
    const answer = await postJson('/v1/evaluate',
      { rules: editor.text, name: rulesName(), records: new RawJson(record), explain: true, as_of: $('as-of').value || undefined }, { exact: true });
    if (answer.ok === false) {
      $('result').replaceChildren(el('div', { class: 'banner error', 'data-testid': 'result-error' }, '编辑中的规则不能编译 (the rules being edited do not compile); see the diagnostics.'));
      $('explain').replaceChildren();
      return;
    }
    const entry = answer.results[0];
    const { explain, ...result } = entry;
    $('result').replaceChildren(renderResult(entry, stringifyExact(result, true)));
    $('explain').replaceChildren(renderExplain(explain, answer.accounts?.[0]));
  });
  if ($('result').querySelector('[data-testid="request-error"]')) $('explain').replaceChildren();
}

$('evaluate').addEventListener('click', evaluate);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    evaluate();
  }
});

// An uploaded JSON Lines file: each line a record to pick; the whole file is the impact sample.
$('jsonl-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const text = await file.text();
  const lines = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let key = '';
    try {
      const v = JSON.parse(line);
      key = v && typeof v === 'object' ? String(v.id ?? v.key ?? Object.values(v)[0] ?? '') : '';
    } catch {
      key = '(not JSON)';
    }
    lines.push({ number: index + 1, text: line, key });
  });
  state.jsonl = { name: file.name, text, lines };
  const picker = $('record-picker');
  picker.replaceChildren(...lines.map((l, i) => el('option', { value: String(i) }, `line ${l.number}: ${l.key}`)));
  picker.hidden = lines.length === 0;
  $('jsonl-info').textContent = `${file.name}: ${lines.length} 条记录 records`;
  $('impact-source').textContent = `影响样本 impact sample: ${file.name} (${lines.length})`;
  if (lines.length) pickRecord(0);
  e.target.value = '';
});

function pickRecord(index) {
  const line = state.jsonl.lines[index];
  let text = line.text;
  try { text = prettyExact(line.text); } catch { /* shown as it is; Evaluate says what is wrong */ }
  $('sample-json').value = text;
}
$('record-picker').addEventListener('change', (e) => pickRecord(Number(e.target.value)));

// ---- diff and impact ------------------------------------------------------------

// Records for the impact: the uploaded file, or else the sample customer alone.
function impactRecords() {
  if (state.jsonl) return { records: state.jsonl.text, name: state.jsonl.name };
  const text = $('sample-json').value.trim();
  if (!text) return null;
  try {
    return { records: stringifyExact(parseExact(text)) + '\n', name: '样本客户 sample customer' };
  } catch {
    return null;
  }
}

$('diff-run').addEventListener('click', () => run($('diff-run'), $('diff-output'), async () => {
  markOutputs(false, ['diff-output', 'text-diff-output', 'impact-output']);
  $('impact-output').replaceChildren();
  const names = { old_name: `${rulesName()} (loaded)`, new_name: `${rulesName()} (edited)` };
  const diff = await postJson('/v1/diff', { old: state.loadedText, new: editor.text, ...names }, { exact: true });
  $('diff-output').replaceChildren(renderDiff(diff));
  $('text-diff-output').replaceChildren(renderTextDiff(state.loadedText, editor.text));
  if (diff.ok === false) return;
  const sample = impactRecords();
  if (!sample) {
    $('impact-output').replaceChildren(message('上传 JSONL 或填写样本客户后可查看影响 (upload a JSONL file or enter a sample customer to see the impact).'));
    return;
  }
  $('impact-source').textContent = `影响样本 impact sample: ${sample.name}`;
  try {
    const impact = await postJson('/v1/impact',
      { old: state.loadedText, new: editor.text, ...names, records: sample.records, input_name: sample.name, as_of: $('as-of').value || undefined }, { exact: true });
    $('impact-output').replaceChildren(renderImpact(impact));
  } catch (e) {
    $('impact-output').replaceChildren(el('div', { class: 'banner error', 'data-testid': 'request-error' }, e.message));
  }
}));

// ---- cases --------------------------------------------------------------------------

$('cases-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  $('cases-text').value = await file.text();
  state.casesName = file.name;
  e.target.value = '';
});

$('cases-run').addEventListener('click', () => run($('cases-run'), $('cases-output'), async () => {
  markOutputs(false, ['cases-output']);
  const cases = $('cases-text').value;
  if (!cases.trim()) {
    $('cases-output').replaceChildren(message('请先填写或上传用例文件 (enter or upload a case file first).', 'banner error'));
    return;
  }
  const minCoverage = $('min-coverage').value.trim();
  const answer = await postJson('/v1/test',
    { rules: editor.text, name: rulesName(), cases, cases_name: state.casesName || 'cases.yaml', min_coverage: minCoverage || undefined });
  $('cases-output').replaceChildren(renderCases(answer));
}));

// A case-file link puts the caret on that line of the case text.
$('cases-output').addEventListener('click', (e) => {
  const link = e.target.closest('a.case-line-link');
  if (!link) return;
  e.preventDefault();
  const area = $('cases-text');
  const lines = area.value.split('\n');
  const line = Math.min(Number(link.dataset.line), lines.length);
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(offset, offset + lines[line - 1].length);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, (line - 3) * lineHeight);
});

// ---- tabs, server status ------------------------------------------------------------

for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t === tab);
    for (const body of document.querySelectorAll('[data-tab-body]')) body.hidden = body.dataset.tabBody !== tab.dataset.tab;
  });
}

// The service reloads rule files as they change on disk: keep the list fresh,
// reload the open ruleset if it was not edited, and say so if it was.
async function pollServer() {
  const badge = $('server-status');
  let answer;
  try {
    answer = await getJson('/v1/rulesets');
  } catch {
    badge.className = 'server-status down';
    badge.textContent = '● 服务不可达 server unreachable';
    return;
  }
  badge.className = 'server-status up';
  badge.textContent = `● 服务正常 ${answer.rulesets.length} rulesets`;
  const known = state.rulesets.length;
  state.rulesets = answer.rulesets;
  if (!known) return loadRulesetList();
  fillPicker();
  const open = state.current && state.rulesets.find((r) => r.name === state.current.name);
  if (!open || (open.content_hash === state.current.content_hash && open.status === state.current.status)) return;
  if (editor.text === state.loadedText) {
    await openRuleset(open.name);
  } else {
    showProblem($('load-problem'), `服务中的 ${open.file} 已更新 (the version serving changed since you opened it: version ${open.version || '?'}, `
      + `status ${open.status}). 你的修改保留；差异仍与你打开时的版本比较 (your edits are kept; Diff still compares with the version you opened). Revert loads the new one.`);
  }
}

setInterval(pollServer, 3000);
loadRulesetList().then(pollServer);
