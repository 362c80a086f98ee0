// Talking to `segrule serve` (docs/service.md), and reading JSON without
// turning money into floating point.

// A JSON number kept as the text the server wrote: results carry exact
// decimals (money, shares), and a double would round them.
export class Num {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
  toJSON() { return this.text; }
}

// JSON.parse, except that every number becomes a Num holding its text.
export function parseExact(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at position ${i}`); };
  const skip = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  function value() {
    skip();
    const c = text[i];
    if (c === '{') {
      i++; const obj = {}; skip();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        skip(); if (text[i] !== '"') fail('expected a member name');
        const key = string(); skip();
        if (text[i++] !== ':') fail('expected `:`');
        obj[key] = value(); skip();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail('expected `,` or `}`');
      }
    }
    if (c === '[') {
      i++; const arr = []; skip();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value()); skip();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail('expected `,` or `]`');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]])
      if (text.startsWith(word, i)) { i += word.length; return v; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected character');
    i += m[0].length;
    return new Num(m[0]);
  }
  function string() {
    // Find the closing quote, then let JSON.parse decode the escapes.
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) fail('unterminated string');
    const s = JSON.parse(text.slice(i, j + 1));
    i = j + 1;
    return s;
  }
  const v = value(); skip();
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}

// JSON text of a value from parseExact, numbers as they were written;
// `pretty`: two-space indents, lists of scalars on one line.
export function stringifyExact(v, pretty = false, depth = 0) {
  if (v instanceof Num) return v.text;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = pretty ? '\n' + '  '.repeat(depth + 1) : '';
  const outer = pretty ? '\n' + '  '.repeat(depth) : '';
  const scalar = (x) => x === null || typeof x !== 'object' || x instanceof Num;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (!pretty || v.every(scalar)) return '[' + v.map((x) => stringifyExact(x)).join(pretty ? ', ' : ',') + ']';
    return '[' + v.map((x) => inner + stringifyExact(x, true, depth + 1)).join(',') + outer + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  const colon = pretty ? ': ' : ':';
  return '{' + keys.map((k) => inner + JSON.stringify(k) + colon + stringifyExact(v[k], pretty, depth + 1)).join(',') + outer + '}';
}

// Pretty JSON text, exact numbers: for showing a record or a result.
export function prettyExact(text) { return stringifyExact(parseExact(text), true); }

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function request(method, path, body, exact) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body,
    });
  } catch (e) {
    throw new ApiError(`服务不可达 (cannot reach the server): ${e.message}`, 0);
  }
  const text = await response.text();
  let data;
  try {
    data = exact ? parseExact(text) : JSON.parse(text);
  } catch {
    throw new ApiError(`HTTP ${response.status}: the answer is not JSON: ${text.slice(0, 200)}`, response.status);
  }
  if (!response.ok) throw new ApiError(`HTTP ${response.status}: ${data && data.error ? data.error : text.slice(0, 200)}`, response.status);
  return data;
}

export const getJson = (path) => request('GET', path, undefined, false);

// `body` is an object whose members are JSON text already (`raw`) or values:
// records are sent as the text the analyst typed, never re-encoded.
export function postJson(path, members, { exact = false } = {}) {
  const parts = Object.entries(members)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => JSON.stringify(k) + ':' + (v instanceof RawJson ? v.text : JSON.stringify(v)));
  return request('POST', path, '{' + parts.join(',') + '}', exact);
}

export class RawJson {
  constructor(text) { this.text = text; }
}
