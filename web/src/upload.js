// Reading an uploaded file into figures rows. Bytes are decoded here (UTF-8, UTF-8 with
// BOM, UTF-16 with BOM, and GB18030/GBK when the bytes are not UTF-8, as Excel saves CSV
// on a Chinese system); parsing and validation are the core's (program.parseCsv,
// program.checkFigures). Nothing here touches the form: the caller applies a row only
// when it is valid and the dealer chose it.


export const PROGRAM_FORMAT = 'dealer-incentive-program/1';

/**
 * Size limits. A JSON or Excel file is read on the page's own thread, so it stays small
 * (MAX_FIGURES_BYTES; an .xlsx is also bounded by what it unpacks to: MAX_UNZIPPED in
 * vendor/fflate-sync.js). CSV, tab-separated text and JSON Lines stream through the core
 * in a Web Worker (the network view), up to MAX_NETWORK_BYTES. Figures text of up to
 * PAGE_PARSE_CHARS is parsed on the page (about a second per megabyte: a quarter of a
 * second at most) so a file with one row applies at once and a file with a few rows
 * offers the row picker; bigger text opens the network view directly.
 */
export const MAX_FIGURES_BYTES = 2 * 1024 * 1024;
export const MAX_NETWORK_BYTES = 50 * 1024 * 1024;
export const PAGE_PARSE_CHARS = 256 * 1024;

const megabytes = (n) => `${Number((n / 1048576).toFixed(1))} MB`;

function tooLarge(name, format, reason, args) {
  return { kind: 'error', file: name, format, code: 'too_large', details: [{ path: '', reason, message: `${name}: the file is too large`, args }] };
}

/** bytes → {text, encoding} */
export function decodeText(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(b.subarray(3)), encoding: 'UTF-8' };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(b.subarray(2)), encoding: 'UTF-16' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(b.subarray(2)), encoding: 'UTF-16' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(b), encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(b), encoding: 'GB18030' };
  }
}

export function fileKind(name, bytes) {
  const lower = String(name || '').toLowerCase();
  if (lower.endsWith('.xlsx') || lower.endsWith('.xlsm')) return 'xlsx';
  if (lower.endsWith('.xls')) return 'xls';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv') || lower.endsWith('.txt') || lower.endsWith('.tsv')) return 'csv';
  // No useful extension: sniff. A ZIP (xlsx) starts with "PK".
  if (bytes && bytes[0] === 0x50 && bytes[1] === 0x4b) return 'xlsx';
  const head = bytes ? decodeText(bytes.subarray(0, 64)).text.trimStart() : '';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return 'csv';
}

/** Column number (1-based) → spreadsheet letters: 1 → A, 27 → AA. */
export function columnLetters(n) {
  let s = '';
  let x = Number(n);
  while (x > 0) {
    const r = (x - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    x = Math.floor((x - 1) / 26);
  }
  return s;
}

function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s;
  if (v instanceof Date) s = Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  else if (typeof v === 'number') s = Number.isFinite(v) ? String(Number(v.toPrecision(15))) : '';
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else s = String(v).replace(/[\r\n]+/g, ' ');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A sheet (rows of cells) → CSV text, one line per row so line numbers stay row numbers. */
export function sheetToCsv(rows) {
  return rows.map((r) => (r || []).map(csvCell).join(',')).join('\n');
}

function errorDetails(err) {
  return Array.isArray(err?.details) ? err.details : [];
}

/** JSON Lines text → rows as the JSON array path makes them (line numbers of the file). */
function jsonLinesRows(text, program) {
  const rows = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let doc;
    try {
      doc = JSON.parse(line);
    } catch {
      rows.push({ line: i + 1, figures: { values: {} }, errors: [{ path: '', reason: 'syntax', message: 'not JSON' }] });
      return;
    }
    try {
      program.checkFigures(doc);
      rows.push({ line: i + 1, figures: doc, errors: [] });
    } catch (err) {
      const details = errorDetails(err);
      rows.push({ line: i + 1, figures: doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : { values: {} }, errors: details.length ? details : [{ path: '', reason: err.code, message: err.message }] });
    }
  });
  return rows;
}

/** A JSON Lines file: every non-empty line is a JSON object (the first two at least). */
function looksLikeJsonLines(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) return false;
  try {
    return lines.slice(0, 2).every((l) => {
      const d = JSON.parse(l);
      return d && typeof d === 'object' && !Array.isArray(d);
    });
  } catch {
    return false;
  }
}

/**
 * Reads one file. Returns one of:
 *  {kind: 'rows', file, format, encoding, rows: [{line, figures, errors}], unknown: [names], network}
 *  {kind: 'network', file, format, size, network}   (too big to parse on the page: the network view)
 *  {kind: 'program', file, text}
 *  {kind: 'error', file, format, code, message, details, line, column}
 * `network` is what the network view computes from: {blob, input: 'csv'|'jsonl', format, size}.
 */
export async function readFiguresFile(file, program) {
  const name = file.name || 'file';
  const head = new Uint8Array(await file.slice(0, 64).arrayBuffer());
  const kind = fileKind(name, head);
  const streams = kind === 'csv' || kind === 'jsonl';
  const limit = streams ? MAX_NETWORK_BYTES : MAX_FIGURES_BYTES;
  if (file.size > limit) return tooLarge(name, kind === 'jsonl' ? 'json' : kind, 'file_too_large', { size: megabytes(file.size), max: megabytes(limit) });
  if (file.size === 0) return { kind: 'error', file: name, code: 'empty', details: [] };
  if (kind === 'xls') return { kind: 'error', file: name, format: 'xlsx', code: 'xlsx_broken', details: [] };
  const whole = (input, format) => ({ blob: file, input, format, size: file.size });
  if (streams && file.size > PAGE_PARSE_CHARS) {
    return { kind: 'network', file: name, format: kind === 'jsonl' ? 'jsonl' : 'csv', size: file.size, network: whole(kind === 'jsonl' ? 'jsonl' : 'csv', kind === 'jsonl' ? 'jsonl' : 'csv') };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());

  if (kind === 'json' || kind === 'jsonl') {
    const { text, encoding } = decodeText(bytes);
    if (kind === 'jsonl' || looksLikeJsonLines(text)) {
      const rows = jsonLinesRows(text, program);
      if (!rows.length) return { kind: 'error', file: name, format: 'json', code: 'no_rows', details: [] };
      return { kind: 'rows', file: name, format: 'json', encoding, rows, unknown: [], network: whole('jsonl', 'jsonl') };
    }
    let doc;
    try {
      doc = JSON.parse(text);
    } catch {
      // The core reports the line and column of the JSON error.
      try {
        program.checkFigures(text);
      } catch (err) {
        return { kind: 'error', file: name, format: 'json', code: err.code || 'parse_error', message: err.message, details: errorDetails(err), line: err.line, column: err.column };
      }
      return { kind: 'error', file: name, format: 'json', code: 'parse_error', details: [] };
    }
    if (doc && typeof doc === 'object' && !Array.isArray(doc) && doc.format === PROGRAM_FORMAT) return { kind: 'program', file: name, text };
    if (!Array.isArray(doc)) {
      try {
        program.checkFigures(doc);
      } catch (err) {
        return { kind: 'error', file: name, format: 'json', code: err.code || 'invalid_figures', message: err.message, details: errorDetails(err) };
      }
      return { kind: 'rows', file: name, format: 'json', encoding, rows: [{ line: null, figures: doc, errors: [] }], unknown: [] };
    }
    const rows = doc.map((d, i) => {
      try {
        program.checkFigures(d);
        return { line: i + 1, figures: d, errors: [] };
      } catch (err) {
        const details = errorDetails(err);
        return {
          line: i + 1,
          figures: d && typeof d === 'object' && !Array.isArray(d) ? d : { values: {} },
          errors: details.length ? details : [{ path: '', reason: err.code, message: err.message }],
        };
      }
    });
    // The network view reads JSON Lines: one document per line, line i + 1 = element i.
    const lines = new Blob([doc.map((d) => JSON.stringify(d ?? null)).join('\n'), '\n'], { type: 'application/x-ndjson' });
    return { kind: 'rows', file: name, format: 'json', encoding, rows, unknown: [], network: { blob: lines, input: 'jsonl', format: 'jsonl', size: lines.size } };
  }

  let text;
  let encoding;
  let format = kind;
  let network = whole('csv', 'csv');
  if (kind === 'xlsx') {
    let sheet;
    try {
      const { readXlsx } = await import('./xlsx.js'); // on demand (a separate file on the static site)
      sheet = await readXlsx(bytes);
    } catch (err) {
      if (err?.code === 'too_large') return tooLarge(name, 'xlsx', 'unpacked_too_large', { max: megabytes(err.limit) });
      return { kind: 'error', file: name, format: 'xlsx', code: 'xlsx_broken', details: [] };
    }
    text = sheetToCsv(sheet);
    encoding = null;
    const blob = new Blob([text], { type: 'text/csv' });
    network = { blob, input: 'csv', format: 'xlsx', size: blob.size };
    if (text.length > PAGE_PARSE_CHARS) return { kind: 'network', file: name, format: 'xlsx', size: file.size, network };
  } else {
    ({ text, encoding } = decodeText(bytes));
    // Excel's "Unicode text" is tab-separated: make it comma-separated for the core.
    if (!text.includes(',') && text.includes('\t')) text = sheetToCsv(text.split(/\r?\n/).map((l) => l.split('\t')));
  }
  let parsed;
  try {
    parsed = program.parseCsv(text);
  } catch (err) {
    return { kind: 'error', file: name, format, code: err.code || 'invalid_csv', message: err.message, details: errorDetails(err) };
  }
  if (!parsed.rows.length) return { kind: 'error', file: name, format, code: 'no_rows', details: [] };
  return { kind: 'rows', file: name, format, encoding, rows: parsed.rows, unknown: parsed.header.unknown || [], network };
}
