// Error details from the core, in the reader's language and with their location:
// "文件 rows.csv · 第 3 行 · E 列「content_posts」：只能填整数".

import { columnLetters } from './upload.js';

/** The translated reason of one detail (falls back to the core's English text). */
export function reasonText(detail, ctx) {
  const { t, fmt } = ctx;
  const args = { ...(detail.args || {}) };
  // Numbers in messages in the reader's format.
  for (const k of ['min', 'max']) {
    if (typeof args[k] === 'number' && args.metric && fmt) args[k] = fmt.value(args.metric, args[k]);
  }
  const key = `reason.${detail.reason}`;
  if (detail.reason && t.has(key)) return t(key, args);
  return detail.message || t('code.internal_error');
}

/** Where the problem is: file, row, column (letters for spreadsheets), header, or JSON Pointer. */
export function locationText(detail, ctx, opts = {}) {
  const { t, fmt } = ctx;
  const parts = [];
  const a = detail.args || {};
  if (opts.file) parts.push(t('loc.file', { file: opts.file }));
  const row = a.row ?? opts.row;
  if (row) parts.push(t('loc.row', { row }));
  if (a.column) parts.push(opts.format === 'xlsx' ? t('loc.columnLetter', { letter: columnLetters(a.column) }) : t('loc.column', { column: a.column }));
  const m = /^\/values\/([^/]+)$/.exec(detail.path || '');
  if (a.header) parts.push(t('loc.header', { header: a.header }));
  else if (a.metric && fmt) parts.push(t('loc.header', { header: fmt.labelOf(a.metric) }));
  else if (m && fmt) parts.push(t('loc.header', { header: fmt.labelOf(m[1].replace(/~1/g, '/').replace(/~0/g, '~')) }));
  // JSON Pointers for JSON documents (CSV and spreadsheets are located by row and column).
  const showPath = opts.format === 'json' || (!a.row && !a.column && !opts.format);
  if (detail.path && showPath && !opts.noPath) parts.push(t('loc.path', { path: detail.path }));
  return parts.join(' · ');
}

/** "location：reason" for lists. */
export function detailLine(detail, ctx, opts = {}) {
  const where = locationText(detail, ctx, opts);
  const why = reasonText(detail, ctx);
  return where ? `${where}${ctx.t('punct.colon')}${why}` : why;
}

export function codeText(code, ctx) {
  // No code at all: not the core's error (a JavaScript exception on the way).
  if (!code) return ctx.t('code.internal_error');
  const key = `code.${code}`;
  return ctx.t.has(key) ? ctx.t(key) : ctx.t('error.generic', { message: code });
}
