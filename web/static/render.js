// Turns the service's answers into the panels' content. DOM built with el(),
// so text from rules and records is never read as HTML.
import { Num, stringifyExact } from './api.js';

// el('div', {class: 'x', dataset: {line: 3}}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

// A link that moves the rule editor's caret to a line (app.js handles the click).
export const lineLink = (line, text = `line ${line}`) =>
  line ? el('a', { href: '#', class: 'line-link', dataset: { line: String(line) }, title: '在编辑器中定位' }, text) : null;

// The same, into the case file's textarea.
const caseLineLink = (line, text) => el('a', { href: '#', class: 'case-line-link', dataset: { line: String(line) } }, text);

const mark = (ok) => el('span', { class: ok ? 'mark ok' : 'mark no' }, ok ? '✓' : '✗');

export const message = (text, cls = 'muted') => el('p', { class: cls }, text);

// ---- result -----------------------------------------------------------------------

// Labels of tiers and segments, from the explain trace: {decision: {id: label}}.
function labelsOf(explain) {
  const labels = {};
  for (const d of explain?.decisions || []) {
    labels[d.name] = {};
    for (const r of d.rows || []) if (r.label) labels[d.name][r.id] = r.label;
  }
  return labels;
}

function valueText(v) {
  if (v instanceof Num) return v.text;
  if (typeof v === 'string') return v;
  return stringifyExact(v);
}

function labelled(id, label) {
  return el('span', { class: 'labelled' }, el('code', {}, valueText(id)), label ? el('span', { class: 'label-zh' }, ` ${label}`) : null);
}

// One result line (or error entry) of /v1/evaluate, with its explain member.
export function renderResult(entry, rawText) {
  const explain = entry.explain;
  const labels = labelsOf(explain);
  const box = el('div', { class: 'result-card' });
  if (entry.error !== undefined) {
    box.append(el('div', { class: 'banner error', 'data-testid': 'result-error' }, `记录未得到结果 (record rejected): ${entry.error}`));
  } else {
    const decisions = new Map((explain?.decisions || []).map((d) => [d.name, d]));
    const table = el('table', { class: 'kv' });
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'explain') continue;
      let shown;
      const decision = decisions.get(name) || decisions.get(name.replace(/_primary$/, ''));
      if (decision && typeof value === 'string') shown = labelled(value, labels[decision.name][value]);
      else if (decision && Array.isArray(value)) shown = el('span', {}, value.map((v, i) => [i ? ', ' : '', labelled(v, labels[decision.name][v])]));
      else if (name === 'dropped' && Array.isArray(value))
        shown = value.length ? el('span', {}, value.map((d, i) => [i ? '; ' : '', `${d.item} (${d.list}, ${d.constraint}: ${d.reason})`])) : el('span', { class: 'muted' }, '—');
      else shown = el('code', {}, valueText(value));
      const kind = decision && decision.name === name ? decision.kind : '';
      table.append(el('tr', { dataset: { field: name }, class: kind === 'tiers' ? 'tier-row' : '' },
        el('th', {}, name, kind ? el('span', { class: 'kind' }, ` ${kind}`) : null), el('td', {}, shown)));
    }
    box.append(table);
  }
  box.append(el('details', { class: 'raw' }, el('summary', {}, 'JSON'), el('pre', {}, rawText)));
  return box;
}

// ---- explain ----------------------------------------------------------------------

const side = (v) => (v ? (v.constant ? v.expr : `${v.expr} = ${v.shown ?? valueText(v.value)}`) : '');
const uses = (list) => (list && list.length ? el('div', { class: 'where' }, 'where ', list.map((u, i) => [i ? ', ' : '', `${u.expr} = ${u.shown ?? valueText(u.value)}`])) : null);

// A condition with the values it saw, as the text account words it.
function renderCheck(check) {
  if (!check) return null;
  const result = check.failed ? el('span', { class: 'mark fail' }, '!') : 'result' in check ? mark(check.result) : null;
  const error = check.error ? el('div', { class: 'check-error' }, check.error) : null;
  switch (check.kind) {
    case 'compare': {
      let text;
      if (check.op === 'is null') text = `${side(check.left)}, needs to be null`;
      else if (check.op === 'is not null') text = `${side(check.left)}, needs a value (not null)`;
      else text = `${side(check.left)}, needs ${check.op} ${side(check.right)}`;
      return el('div', { class: 'check' }, text, ' ', result, uses(check.uses), error);
    }
    case 'test':
      return el('div', { class: 'check' }, `${check.expr} = ${check.value?.shown ?? ''}`, ' ', result, uses(check.uses), error);
    case 'otherwise':
      return el('div', { class: 'check' }, 'otherwise ', result);
    case 'not_evaluated':
      return el('div', { class: 'check skipped' }, `${check.expr}: not evaluated`);
    default: // all / any / not
      return el('div', { class: 'check group' }, el('div', {}, el('code', {}, check.expr), ' ', result, error),
        el('div', { class: 'parts' }, (check.parts || []).map((p, i) => [i && check.kind !== 'not' ? el('div', { class: 'joiner' }, check.kind === 'all' ? 'and' : 'or') : null, renderCheck(p)])));
  }
}

const ROW_MARKS = { matched: '✓', not_matched: '✗', not_tried: '·', failed: '!' };

function renderDecision(d) {
  const label = (id) => (d.rows || []).find((r) => r.id === id)?.label;
  const named = (id) => (label(id) ? `${id} (${label(id)})` : id);
  const result = Array.isArray(d.result) ? d.result.map(named).join(', ') : d.result === null ? null : d.result !== undefined ? named(d.result) : undefined;
  const section = el('section', { class: 'explain-decision', dataset: { decision: d.name } },
    el('h4', {}, `${d.kind} ${d.name} `, lineLink(d.line), result !== undefined ? el('span', { class: 'outcome' }, ` → ${result ?? 'null'}`) : null,
      d.primary ? el('span', { class: 'outcome' }, `, primary ${named(d.primary)}`) : null));
  const rows = el('ol', { class: 'explain-rows' });
  for (const r of d.rows || []) {
    if (r.status === 'not_tried') continue;
    rows.append(el('li', { class: `explain-row ${r.status}`, 'data-testid': 'explain-row', dataset: { status: r.status, id: r.id } },
      el('div', { class: 'row-head' }, el('span', { class: `mark ${r.status}` }, ROW_MARKS[r.status] || '?'), ' ', labelled(r.id, r.label), ' ', lineLink(r.line)),
      r.status === 'matched' || r.status === 'not_matched' || r.status === 'failed' ? renderCheck(r.condition) : null,
      r.score ? el('div', { class: 'score' }, `score ${side(r.score)}`) : null));
  }
  const notTried = (d.rows || []).filter((r) => r.status === 'not_tried');
  if (notTried.length) rows.append(el('li', { class: 'explain-row not_tried muted' }, 'not tried: ', notTried.map((r, i) => [i ? ', ' : '', labelled(r.id, r.label)])));
  section.append(rows);
  if (d.error) section.append(el('div', { class: 'check-error' }, d.error));
  return section;
}

const STATEMENT_MARKS = { applied: '→', overridden: '✗', skipped: '✗', failed: '!', not_reached: '·' };

function renderStrategy(s) {
  const fired = s.status === 'fired';
  const box = el('li', { class: `explain-strategy ${s.status}`, dataset: { status: s.status, name: s.name } },
    el('div', { class: 'row-head' }, el('span', { class: `mark ${fired ? 'ok' : 'no'}` }, fired ? '✓' : '✗'), ' ', labelled(s.name, s.label),
      ` ${s.status.replace('_', ' ')} `, lineLink(s.line)),
    renderCheck(s.condition));
  if (s.statements?.length) {
    box.append(el('ul', { class: 'statements' }, s.statements.map((st) => el('li', { class: `statement ${st.status}` },
      `${STATEMENT_MARKS[st.status] || ''} ${st.verb} `, st.field ? `${st.field} = ` : '', st.value ? (st.value.shown ?? valueText(st.value.value)) : st.expr,
      st.status !== 'applied' ? el('span', { class: 'muted' }, ` (${st.status}${st.set_by ? `, already set by ${st.set_by}` : ''})`) : null,
      ' ', lineLink(st.line), st.when ? renderCheck(st.when) : null, st.error ? el('div', { class: 'check-error' }, st.error) : null))));
  }
  return box;
}

// The explain member of a result: lets, decisions (matched row highlighted),
// strategies, constraints; the text account below, folded.
export function renderExplain(explain, account) {
  const box = el('div', { class: 'explain-body' });
  // Error entries may come without the structured trace; the text account still says why.
  if (!explain) return account ? el('pre', { class: 'account-text', 'data-testid': 'explain-account' }, account) : message('没有解释 (no explain member in the answer).');
  box.append(el('p', { class: 'explain-title' }, `记录 record ${explain.key ?? '(no key)'}, as of ${explain.as_of}`));
  if (explain.error) {
    const e = explain.error;
    box.append(el('div', { class: 'banner error', 'data-testid': 'explain-error' }, `${e.kind === 'record' ? 'record error' : 'evaluation error'}: ${e.message} `, lineLink(e.line)));
  }
  if (explain.lets?.length) {
    box.append(el('h4', {}, 'lets'), el('table', { class: 'lets' }, explain.lets.map((l) => el('tr', {},
      el('th', {}, l.name), el('td', {}, el('code', {}, l.expr)), el('td', {}, l.status === 'done' ? l.shown : l.status.replace('_', ' '), l.error ? ` ${l.error}` : ''), el('td', {}, lineLink(l.line))))));
  }
  for (const d of explain.decisions || []) box.append(renderDecision(d));
  if (explain.strategies?.length) {
    const fired = explain.strategies.filter((s) => s.status === 'fired').length;
    box.append(el('h4', {}, `strategies (${fired} fired)`), el('ul', { class: 'explain-strategies' }, explain.strategies.map(renderStrategy)));
  }
  for (const c of explain.constraints || []) {
    box.append(el('section', { class: 'explain-constraint' },
      el('h4', {}, `constraint ${c.name} `, c.label ? el('span', { class: 'label-zh' }, c.label) : null, ` on ${c.list} `, lineLink(c.line),
        el('span', { class: 'outcome' }, ` ${c.checked ?? 0} checked, ${c.dropped?.length ?? 0} dropped`)),
      el('ul', {}, (c.dropped || []).map((d) => el('li', {}, `dropped ${d.shown ?? d.item} by row ${d.row} `, lineLink(d.line), `, reason "${d.reason}"`, renderCheck(d.condition)))),
      c.error ? el('div', { class: 'check-error' }, c.error) : null));
  }
  if (account) box.append(el('details', { class: 'account' }, el('summary', {}, '文本解释 text account'), el('pre', { 'data-testid': 'explain-account' }, account)));
  return box;
}

// ---- check diagnostics -----------------------------------------------------------

// The list under the editor; each item moves the caret to its place.
export function renderDiagnosticList(diagnostics) {
  return diagnostics.map((d) => el('li', { class: `diagnostic ${d.severity}`, 'data-testid': 'diagnostic', dataset: { line: String(d.line || ''), column: String(d.column || 1), severity: d.severity }, tabindex: '0' },
    el('span', { class: 'where' }, d.line ? `${d.line}:${d.column}` : '—'), ' ',
    el('span', { class: `sev ${d.severity}` }, `${d.severity}${d.code ? `[${d.code}]` : ''}`), ' ',
    el('span', { class: 'msg' }, d.message),
    d.help ? el('div', { class: 'help' }, `help: ${d.help}`) : null,
    (d.notes || []).map((n) => el('div', { class: 'note' }, `note: ${n}`))));
}

// ---- diff and impact ----------------------------------------------------------------

function changeText(c) {
  const what = [c.change, c.part, c.id].filter(Boolean).join(' ');
  const fmt = (v) => (Array.isArray(v) ? v.join(', ') : v);
  return el('li', { class: `change ${c.change}` }, el('strong', {}, what), c.label ? el('span', { class: 'label-zh' }, ` ${c.label}`) : null, c.aspect ? ` (${c.aspect})` : '',
    c.old !== undefined ? el('div', { class: 'old' }, '− ', el('code', {}, fmt(c.old))) : null,
    c.new !== undefined ? el('div', { class: 'new' }, '+ ', el('code', {}, fmt(c.new))) : null,
    c.after !== undefined ? el('div', { class: 'muted' }, `after ${c.after ?? '(first)'}`) : null,
    c.note ? el('div', { class: 'muted' }, c.note) : null);
}

export function renderDiff(doc) {
  const box = el('div', { class: 'diff-body' });
  if (doc.ok === false) {
    box.append(el('div', { class: 'banner error' }, '有一个版本不能编译 (a version does not compile).'));
    for (const [title, list] of [['服务中版本 loaded', doc.old_diagnostics], ['编辑后 edited', doc.new_diagnostics]])
      if (list?.length) box.append(el('h4', {}, title), el('ul', { class: 'diagnostics' }, renderDiagnosticList(list)));
    return box;
  }
  box.append(el('p', { class: doc.changed_meaning ? 'summary changed' : 'summary same', 'data-testid': 'diff-summary' },
    doc.changed_meaning ? '含义有变化 (the meaning changed)' : (doc.declarations?.length ? '只有不改变含义的修改 (no change in meaning)' : '没有修改 (no change)')));
  for (const d of doc.declarations || []) {
    const eq = d.equivalence;
    box.append(el('section', { class: `diff-decl ${d.status}`, 'data-testid': 'diff-declaration', dataset: { kind: d.kind, name: d.name } },
      el('h4', {}, `${d.kind} ${d.name || ''} `, el('span', { class: `badge ${d.status}` }, d.status), d.changes_meaning === false ? el('span', { class: 'badge same' }, 'equivalent') : null),
      d.summary ? el('p', {}, d.summary) : null,
      el('ul', { class: 'changes' }, (d.changes || []).map(changeText)),
      eq ? el('div', { class: 'equivalence' }, `equivalence: ${eq.verdict}`,
        eq.verdict === 'differs' ? el('div', {}, `example gives ${valueText(eq.old_result)} → ${valueText(eq.new_result)}`, el('pre', {}, stringifyExact(eq.example))) : null,
        eq.reason ? el('div', { class: 'muted' }, eq.reason) : null,
        eq.depends_on ? el('div', { class: 'muted' }, `depends on: ${[].concat(eq.depends_on).join(', ')}`) : null) : null));
  }
  return box;
}

const examples = (c) => (c.examples?.length ? el('span', { class: 'examples' }, ` e.g. ${c.examples.join(', ')}`) : null);

export function renderImpact(doc) {
  const box = el('div', { class: 'impact-body' });
  if (doc.ok === false || doc.error) {
    box.append(el('div', { class: 'banner error' }, doc.error || '影响分析失败 (impact could not run).'));
    return box;
  }
  const t = doc.totals || {};
  box.append(el('p', { class: 'summary', 'data-testid': 'impact-summary' },
    `${t.read} 条记录 read: ${t.evaluated_by_both} evaluated by both (${t.changed} changed, ${t.unchanged} unchanged), `
    + `${t.failed_old_only} failed in the old version only, ${t.failed_new_only} in the new only, ${t.failed_both} in both`));
  for (const tier of doc.tiers || []) {
    const count = (from, to) => tier.cells.find((c) => c.from === from && c.to === to);
    const table = el('table', { class: 'matrix', 'data-testid': 'impact-matrix' },
      el('tr', {}, el('th', {}, 'old \\ new'), tier.new_rows.map((r) => el('th', {}, r))),
      tier.old_rows.map((from) => el('tr', {}, el('th', {}, from), tier.new_rows.map((to) => {
        const c = count(from, to);
        return el('td', { class: c ? (from === to ? 'same' : 'moved') : 'zero', title: c?.examples?.join(', ') || '' }, c ? String(c.count) : '.');
      }))));
    box.append(el('h4', {}, `tiers ${tier.name}`), table);
    const moved = tier.cells.filter((c) => c.from !== c.to);
    box.append(moved.length ? el('ul', {}, moved.map((c) => el('li', {}, `${c.from} → ${c.to}: ${c.count}`, examples(c)))) : message('no record moved'));
  }
  for (const s of doc.segments || []) {
    const rows = s.segments.filter((x) => x.joined.count || x.left.count);
    box.append(el('h4', {}, `segments ${s.name}`), rows.length
      ? el('table', { class: 'kv' }, el('tr', {}, el('th', {}, 'segment'), el('th', {}, 'joined'), el('th', {}, 'left')),
        rows.map((x) => el('tr', {}, el('td', {}, x.id), el('td', {}, String(x.joined.count), examples(x.joined)), el('td', {}, String(x.left.count), examples(x.left)))))
      : message('no record joined or left a segment'));
  }
  for (const l of doc.lists || []) {
    box.append(el('h4', {}, `output ${l.name}`), l.items.length
      ? el('ul', {}, l.items.map((i) => el('li', {}, `${i.item}: gained ${i.gained?.count ?? 0}, lost ${i.lost?.count ?? 0}`)))
      : message('no item gained or lost'));
  }
  for (const f of doc.fields || []) {
    box.append(el('h4', {}, `${f.kind} ${f.name}${f.masked ? ' (pii masked)' : ''}`), f.changes.length || f.other?.count
      ? el('ul', {}, f.changes.map((c) => el('li', {}, `${valueText(c.from)} → ${valueText(c.to)}: ${c.count}`, examples(c))), f.other?.count ? el('li', {}, `(other changes): ${f.other.count}`) : null)
      : message('no change'));
  }
  const fails = doc.failures || {};
  const failing = [['old version only', fails.old_only], ['new version only', fails.new_only], ['both', fails.both]].filter(([, f]) => f?.count);
  if (failing.length) {
    box.append(el('h4', {}, 'records that failed'), el('ul', {}, failing.map(([what, f]) => el('li', {}, `in the ${what}: ${f.count}`,
      el('ul', {}, (f.examples || []).map((e) => el('li', {}, typeof e === 'string' ? e : `${e.key ?? (e.line ? `line ${e.line}` : '')}: ${e.message ?? e.error ?? stringifyExact(e)}`)))))));
  }
  if (doc.not_compared?.length) box.append(el('p', { class: 'muted' }, `not compared: ${doc.not_compared.map((n) => (typeof n === 'string' ? n : n.name)).join(', ')}`));
  return box;
}

// ---- cases ------------------------------------------------------------------------

// The report of /v1/test, line by line: failures open, case lines link to the
// case file, `not reached` lines link to the rule text.
export function renderCases(answer) {
  const box = el('div', { class: 'cases-body' });
  // The summary is the report's last line, `N passed, N failed`, as `segrule test` ends.
  const last = (answer.report || '').trim().split('\n').pop();
  const problem = answer.compiles === false ? '规则不能编译，没有运行用例 (the rules do not compile; no case ran)'
    : '用例文件有错误，没有运行 (the case file has errors; no case ran)';
  box.append(el('p', { class: `summary ${answer.ok ? 'same' : 'changed'}`, 'data-testid': 'cases-summary' }, answer.report ? last : problem));
  if (answer.diagnostics?.length && answer.compiles === false) {
    // The rules' own errors: they link to the rule editor.
    box.append(el('ul', { class: 'diagnostics' }, renderDiagnosticList(answer.diagnostics)));
  } else if (answer.diagnostics?.length) {
    box.append(el('ul', { class: 'diagnostics case-diagnostics' }, answer.diagnostics.map((d) => el('li', { class: `diagnostic ${d.severity}` },
      d.line ? caseLineLink(d.line, `${d.line}:${d.column}`) : '', ' ', el('span', { class: `sev ${d.severity}` }, d.severity), ' ', d.message,
      d.help ? el('div', { class: 'help' }, `help: ${d.help}`) : null))));
  }
  if (!answer.report) return box;
  const report = el('div', { class: 'case-report', 'data-testid': 'cases-report' });
  let failure = null;
  for (const line of answer.report.replace(/\n$/, '').split('\n')) {
    let m;
    if ((m = /^FAIL (.*) \(line (\d+)\)$/.exec(line))) {
      failure = el('details', { class: 'case fail', open: true }, el('summary', {}, el('span', { class: 'mark no' }, 'FAIL'), ` ${m[1]} `, caseLineLink(m[2], `(line ${m[2]})`)));
      report.append(failure);
      continue;
    }
    if (failure && (/^\s/.test(line) || line === '')) { failure.append(el('div', { class: 'case-detail' }, line)); continue; }
    failure = null;
    if ((m = /^ok {3}(.*)$/.exec(line))) report.append(el('div', { class: 'case ok' }, el('span', { class: 'mark ok' }, 'ok'), ` ${m[1]}`));
    else if ((m = /^(.*)\(line (\d+)\)$/.exec(line))) report.append(el('div', { class: 'case-line' }, m[1], lineLink(Number(m[2]), `(line ${m[2]})`)));
    else report.append(el('div', { class: /^coverage/.test(line) ? 'case-line coverage' : 'case-line' }, line));
  }
  box.append(report);
  return box;
}

// ---- text changes -------------------------------------------------------------------

// Lines of OLD and NEW as [{kind: ' '|'-'|'+', text, oldLine, newLine}], by the
// longest common subsequence of lines (after the common head and tail); null
// when the changed middle is too large to compare line by line in the page.
export function lineDiff(oldText, newText, maxCells = 4e6) {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n * m > maxCells) return null;
  // lcs[i][j]: the LCS length of a[head+i..] and b[head+j..] within the middle.
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[head + i] === b[head + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  for (let k = 0; k < head; k++) out.push({ kind: ' ', text: a[k], oldLine: k + 1, newLine: k + 1 });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] === b[head + j]) { out.push({ kind: ' ', text: a[head + i], oldLine: head + i + 1, newLine: head + j + 1 }); i++; j++; }
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) { out.push({ kind: '-', text: a[head + i], oldLine: head + i + 1 }); i++; }
    else { out.push({ kind: '+', text: b[head + j], newLine: head + j + 1 }); j++; }
  }
  for (let k = tail; k > 0; k--) out.push({ kind: ' ', text: a[a.length - k], oldLine: a.length - k + 1, newLine: b.length - k + 1 });
  return out;
}

// The changed lines with two lines of context, as a unified diff; the edited
// side's line numbers link to the editor.
export function renderTextDiff(oldText, newText) {
  const lines = lineDiff(oldText, newText);
  if (!lines) return message('修改太多，无法逐行显示 (too many changes to show line by line).');
  const changed = lines.map((l, k) => (l.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return message('文本没有修改 (the text is unchanged).');
  const keep = new Set();
  for (const k of changed) for (let c = k - 2; c <= k + 2; c++) if (c >= 0 && c < lines.length) keep.add(c);
  const box = el('div', { class: 'text-diff', 'data-testid': 'text-diff' });
  let previous = -1;
  for (let k = 0; k < lines.length; k++) {
    if (!keep.has(k)) continue;
    if (previous >= 0 && k !== previous + 1) box.append(el('div', { class: 'td-gap' }, '⋯'));
    previous = k;
    const l = lines[k];
    box.append(el('div', { class: `td-line td-${l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : 'same'}` },
      el('span', { class: 'td-num' }, l.oldLine ?? ''), el('span', { class: 'td-num' }, l.newLine ? lineLink(l.newLine, String(l.newLine)) : ''),
      el('span', { class: 'td-text' }, `${l.kind} ${l.text}`)));
  }
  return box;
}
