// api.js - the REST API as the pages call it. Staff sign in with an API
// key (kept in localStorage); a shopper carries the signed link token of
// their order, sent as "Authorization: Link <token>".

const KEY = 'holdfast.key';

export const auth = {
  key: () => localStorage.getItem(KEY),
  setKey: (k) => localStorage.setItem(KEY, k),
  clear: () => localStorage.removeItem(KEY),
  link: null, // the shopper's order token, when on a shopper page
};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed (${status})`);
    this.status = status;
    this.body = body;
    this.code = e.code;
    this.field = e.field;
  }
}

function headers(extra) {
  const hd = { Accept: 'application/json', ...extra };
  if (auth.link) hd.Authorization = `Link ${auth.link}`;
  else if (auth.key()) hd.Authorization = `Bearer ${auth.key()}`;
  return hd;
}

let seq = 0;
// opts.idempotent: false for a POST that changes nothing (lint as you
// type), which needs no Idempotency-Key kept by the server.
export async function api(method, path, body, opts = {}) {
  const init = { method, headers: headers() };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    // one key per user action: a retried click changes nothing twice
    if (opts.idempotent !== false) init.headers['Idempotency-Key'] = `web-${Date.now()}-${++seq}-${Math.random().toString(36).slice(2)}`;
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}, opts) => api('POST', path, body, opts);

// A shopper's live event stream (EventSource cannot send headers: the
// link's token goes in the query).
export function stream(path) {
  const sep = path.includes('?') ? '&' : '?';
  return new EventSource(`${path}${sep}t=${encodeURIComponent(auth.link || '')}`);
}
