// The console's one way to the server: JSON under /console/api/, the session cookie sent by the
// browser (HttpOnly: this script never sees it), the CSRF token on every change.
let csrf = null;

export function setCsrf(value) {
  csrf = value;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch('/console/api/' + path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * A change that streams its progress as server-sent events (a verify, a rebuild): POSTed with the
 * CSRF token, read as it arrives; calls onEvent(name, data) for each event, resolves at the end.
 */
export async function stream(path, onEvent) {
  const res = await fetch('/console/api/' + path, {
    method: 'POST', headers: { 'X-CSRF-Token': csrf || '' }, credentials: 'same-origin',
  });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (name && data) onEvent(name[1], JSON.parse(data[1]));
    }
  }
}

/** A table cell, a row or an element with text: never HTML from the server. */
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export function row(cells) {
  const tr = el('tr');
  for (const c of cells) {
    const td = el('td');
    if (c instanceof Node) td.append(c); else td.textContent = c === null || c === undefined ? '' : String(c);
    tr.append(td);
  }
  return tr;
}

export const $ = (id) => document.getElementById(id);
export const number = (n) => Number(n).toLocaleString('en-US');
