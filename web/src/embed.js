// embed.html: <dealer-calculator> in an iframe, driven by a versioned postMessage protocol.
//
//   host → frame  {type: 'dealer-calc:load-program', version: 1, program}   (object or JSON text)
//                 {type: 'dealer-calc:set-figures',  version: 1, figures}   (figures document)
//   frame → host  {type: 'dealer-calc:ready',  version: 1}
//                 {type: 'dealer-calc:result', version: 1, result}          (complete: drivers included)
//                 {type: 'dealer-calc:error',  version: 1, error}           ({code, message, details})
//                 {type: 'dealer-calc:resize', version: 1, height}          (CSS px of the content)
//
// Only the parent window, from an allowed origin, is listened to; everything else (other
// origins, other versions, unknown types, other windows) is ignored without an answer.
// Messages go only to the host's origin (never "*"). Allowed origins: the
// <meta name="dealer-calc-allowed-origins"> of embed.html (the operator's list), narrowed
// by ?origins=a,b when both are given; ?origins= alone when the meta is empty.
import { define } from './element.js';

export const PROTOCOL_VERSION = 1;
const NS = 'dealer-calc:';

define();
const el = document.querySelector('dealer-calculator');
const params = new URLSearchParams(location.search);

function origins(list) {
  const out = [];
  for (const item of list.flatMap((v) => String(v || '').split(/[\s,]+/))) {
    if (!item) continue;
    try {
      const o = new URL(item).origin;
      if (o && o !== 'null') out.push(o);
    } catch {
      /* not a URL: ignored */
    }
  }
  return out;
}

const metaList = origins([document.querySelector('meta[name="dealer-calc-allowed-origins"]')?.content || '']);
const queryList = origins(params.getAll('origins'));
const allowed = new Set(metaList.length ? (queryList.length ? queryList.filter((o) => metaList.includes(o)) : metaList) : queryList);
// Without the operator's list, any site can frame this page and name itself in ?origins=:
// it must not receive the figures a dealer saved on this device, so nothing is saved.
if (!metaList.length) el.noAutosave = true;

const framed = window.parent && window.parent !== window;
let host = null;
if (framed) {
  // The parent's origin, when the browser tells it (ancestorOrigins: Chromium, Safari;
  // document.referrer unless the host sends no referrer). One allowed origin: that one.
  let guess = location.ancestorOrigins?.[0] || '';
  if (!guess && document.referrer) {
    try {
      guess = new URL(document.referrer).origin;
    } catch {
      guess = '';
    }
  }
  if (guess && allowed.has(guess)) host = guess;
  else if (!guess && allowed.size === 1) host = [...allowed][0];
}

function post(type, body = {}) {
  if (!framed || !host) return;
  let message = { type: NS + type, version: PROTOCOL_VERSION, ...body };
  try {
    message = JSON.parse(JSON.stringify(message)); // plain data only
  } catch {
    return;
  }
  window.parent.postMessage(message, host);
}

window.addEventListener('message', (ev) => {
  if (!framed || ev.source !== window.parent) return;
  if (!allowed.has(ev.origin)) return;
  if (host && ev.origin !== host) return;
  const m = ev.data;
  if (!m || typeof m !== 'object' || typeof m.type !== 'string' || m.version !== PROTOCOL_VERSION) return;
  if (m.type === `${NS}load-program`) {
    if (!host) {
      host = ev.origin;
      post('ready');
    }
    if (m.program !== undefined && m.program !== null) el.program = m.program;
  } else if (m.type === `${NS}set-figures`) {
    if (!host) {
      host = ev.origin;
      post('ready');
    }
    if (m.figures && typeof m.figures === 'object') el.figures = m.figures;
  }
});

if (el) {
  const src = params.get('program');
  if (src) el.setAttribute('program-src', src); // resolved against embed.html, fetched under its CSP
  const lang = params.get('lang');
  if (lang) el.setAttribute('locale', lang);
  el.addEventListener('dealer-result', (ev) => {
    if (ev.complete !== false) post('result', { result: ev.detail });
  });
  el.addEventListener('dealer-error', (ev) => {
    const { code, message, details, file, line, column } = ev.detail || {};
    post('error', { error: { code, message, details, file, line, column } });
  });
  el.addEventListener('dealer-result', () => document.documentElement.setAttribute('lang', el.locale));
}

// Auto-height: the host sizes the iframe to the content.
let lastHeight = -1;
const measure = () => {
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  if (height !== lastHeight) {
    lastHeight = height;
    post('resize', { height });
  }
};
const resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
resizeObserver?.observe(document.body);
if (el) resizeObserver?.observe(el);
// A cross-origin frame out of view gets no rendering updates (so no ResizeObserver
// callbacks) in Chromium: measure after each render too (layout is forced; cheap).
el?.addEventListener('dealer-result', () => queueMicrotask(measure));
el?.addEventListener('figures-changed', () => queueMicrotask(measure));

post('ready');
measure();
