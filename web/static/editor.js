// The rule editor: a <textarea> the analyst types in, laid over a <pre> that
// shows the same text coloured, with line numbers and diagnostics at their line.
// The textarea's own text is transparent; both use the same font and metrics,
// so the caret and selection fall on the coloured text underneath.

const KEYWORDS = new Set([
  'ruleset', 'enum', 'input', 'key', 'pii', 'let', 'tiers', 'segments', 'catalog', 'output', 'strategy',
  'constraint', 'invariant', 'when', 'otherwise', 'score', 'offer', 'action', 'drop', 'reason', 'on', 'as',
  'if', 'then', 'else', 'all', 'any',
]);
const HEADER_FIELDS = new Set(['title', 'version', 'effective', 'owner']);
const WORD_OPERATORS = new Set(['and', 'or', 'not', 'in', 'is']);
const LITERALS = new Set(['true', 'false', 'null']);
const TYPES = new Set(['string', 'int', 'number', 'money', 'bool', 'date', 'list']);

// One pattern per token kind, tried in this order at each position.
const TOKEN_PATTERNS = [
  ['comment', /#.*/y],
  ['string', /"(?:[^"\\]|\\.)*"?/y],
  ['date', /\d{4}-\d{2}-\d{2}(?!\d)/y],
  // digits, a fraction, then a unit: 500万, 1.5亿, 50%, 0.8
  ['number', /\d(?:_?\d)*(?:\.\d(?:_?\d)*)?(?:%|[\p{L}\p{N}_])*/uy],
  ['word', /[\p{L}_][\p{L}\p{N}_]*/uy],
  ['op', /==|!=|<=|>=|\?\?|\+=|[-+*/<>=?]/y],
  ['punct', /[.,:;()[\]{}]/y],
  ['space', /\s+/y],
];

function classify(kind, text, rest) {
  if (kind !== 'word') return kind;
  if (KEYWORDS.has(text)) return 'keyword';
  if (HEADER_FIELDS.has(text)) return 'header';
  if (WORD_OPERATORS.has(text)) return 'op';
  if (LITERALS.has(text)) return 'literal';
  if (TYPES.has(text)) return 'type';
  if (/^\s*\(/.test(rest)) return 'function';
  return 'ident';
}

// The tokens of one line: [{text, kind}], covering the whole line.
export function tokenizeLine(line) {
  const tokens = [];
  let at = 0;
  while (at < line.length) {
    let matched = false;
    for (const [kind, pattern] of TOKEN_PATTERNS) {
      pattern.lastIndex = at;
      const m = pattern.exec(line);
      if (m && m[0].length > 0) {
        tokens.push({ text: m[0], kind: classify(kind, m[0], line.slice(at + m[0].length)) });
        at += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      // A character no rule knows (the checker will say so): show it plain.
      const ch = String.fromCodePoint(line.codePointAt(at));
      tokens.push({ text: ch, kind: 'plain' });
      at += ch.length;
    }
  }
  return tokens;
}

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// HTML for one line: coloured tokens, the spans of diagnostics underlined
// (columns are 1-based, in characters), then the first message after the text.
function lineHtml(line, lineDiags) {
  const marks = []; // per character: the severity underlining it, if any
  const chars = Array.from(line);
  for (const d of lineDiags) {
    const from = Math.max(0, d.fromColumn - 1);
    const to = Math.max(from + 1, d.toColumn - 1);
    for (let c = from; c < Math.min(to, chars.length); c++) if (marks[c] !== 'error') marks[c] = d.severity;
  }
  let html = '';
  let column = 0;
  for (const token of tokenizeLine(line)) {
    // Split the token where the underline starts or stops.
    let piece = '';
    let pieceMark = marks[column];
    const flush = () => {
      if (!piece) return;
      const cls = `t-${token.kind}` + (pieceMark ? ` squiggle-${pieceMark}` : '');
      html += `<span class="${cls}">${escapeHtml(piece)}</span>`;
      piece = '';
    };
    for (const ch of token.text) {
      if (marks[column] !== pieceMark) { flush(); pieceMark = marks[column]; }
      piece += ch;
      column++;
    }
    flush();
  }
  // A span that starts past the end of the line (a missing `}` at the end): a caret.
  if (lineDiags.some((d) => d.fromColumn - 1 >= chars.length)) html += '<span class="eol-mark">␣</span>';
  if (lineDiags.length) {
    const first = lineDiags[0];
    const more = lineDiags.length > 1 ? ` (+${lineDiags.length - 1})` : '';
    html += `<span class="inline-message ${first.severity}" data-testid="inline-diagnostic">    ${first.severity === 'error' ? '✖' : '▲'} ${escapeHtml(first.message)}${more}</span>`;
  }
  return html;
}

export class Editor {
  constructor({ textarea, highlight, gutter, scroller }) {
    Object.assign(this, { textarea, highlight, gutter, scroller });
    this.diagnostics = [];
    this.stale = false;
    this.onChange = () => {};
    textarea.addEventListener('input', () => {
      this.stale = true;
      this.render();
      this.onChange();
    });
    textarea.addEventListener('keydown', (e) => this.keydown(e));
    // The textarea is as large as its text, so it never scrolls itself; if the
    // browser scrolls it anyway (caret reveal), move the outer scroller instead.
    textarea.addEventListener('scroll', () => {
      this.scroller.scrollTop += textarea.scrollTop;
      this.scroller.scrollLeft += textarea.scrollLeft;
      textarea.scrollTop = 0;
      textarea.scrollLeft = 0;
    });
    gutter.addEventListener('click', (e) => {
      const line = e.target.closest('[data-line]');
      if (line) this.goTo(Number(line.dataset.line), 1);
    });
  }

  get text() { return this.textarea.value; }

  setText(text) {
    this.textarea.value = text;
    this.diagnostics = [];
    this.stale = false;
    this.render();
    this.scroller.scrollTop = 0;
  }

  // diagnostics: [{severity, message, line, column, end_line, end_column}] as /v1/check gives them.
  setDiagnostics(diagnostics) {
    this.diagnostics = diagnostics;
    this.stale = false;
    this.render();
  }

  render() {
    const lines = this.text.split('\n');
    const byLine = new Map();
    for (const d of this.diagnostics) {
      if (!d.line) continue;
      const sameLine = !d.end_line || d.end_line === d.line;
      const entry = {
        severity: d.severity === 'error' ? 'error' : 'warning',
        message: d.message,
        fromColumn: d.column || 1,
        toColumn: sameLine && d.end_column ? d.end_column : Infinity,
      };
      // A diagnostic past the last line (an unexpected end of file) goes on the last line.
      const line = Math.min(d.line, lines.length);
      if (!byLine.has(line)) byLine.set(line, []);
      byLine.get(line).push(entry);
    }
    // Errors first on a line: the inline message shows the first.
    for (const list of byLine.values()) list.sort((a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1));

    let code = '';
    let gutter = '';
    lines.forEach((line, index) => {
      const number = index + 1;
      const diags = byLine.get(number) || [];
      const severity = diags.length ? diags[0].severity : '';
      code += `<div class="ln${severity ? ' has-' + severity : ''}" data-line="${number}">${lineHtml(line, diags)}</div>`;
      const title = diags.map((d) => d.message).join('\n');
      gutter += `<div class="gl${severity ? ' has-' + severity : ''}" data-line="${number}"${title ? ` title="${escapeHtml(title)}"` : ''}>`
        + `<span class="marker" data-testid="${severity ? 'gutter-marker' : ''}">${severity === 'error' ? '●' : severity === 'warning' ? '▲' : ''}</span>${number}</div>`;
    });
    this.highlight.innerHTML = code;
    this.gutter.innerHTML = gutter;
    this.highlight.classList.toggle('stale', this.stale);
  }

  // Puts the caret at LINE:COLUMN (1-based, column in characters) and shows it.
  goTo(line, column = 1) {
    const lines = this.text.split('\n');
    const target = Math.min(Math.max(line, 1), lines.length);
    let offset = 0;
    for (let i = 0; i < target - 1; i++) offset += lines[i].length + 1;
    const chars = Array.from(lines[target - 1]);
    offset += chars.slice(0, Math.max(0, column - 1)).join('').length;
    this.textarea.focus({ preventScroll: true });
    this.textarea.setSelectionRange(offset, offset);
    const row = this.highlight.querySelector(`[data-line="${target}"]`);
    if (row) {
      const top = row.offsetTop;
      const view = this.scroller;
      if (top < view.scrollTop || top > view.scrollTop + view.clientHeight - 2 * row.offsetHeight)
        view.scrollTop = Math.max(0, top - view.clientHeight / 3);
    }
    row?.classList.add('flash');
    setTimeout(() => row?.classList.remove('flash'), 900);
  }

  // The line and column (1-based, characters) of the caret.
  caret() {
    const before = this.text.slice(0, this.textarea.selectionStart);
    const lines = before.split('\n');
    return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1 };
  }

  keydown(e) {
    if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey) {
      // Two spaces, through the browser's editing so undo still works.
      e.preventDefault();
      document.execCommand('insertText', false, '  ');
    }
  }
}
