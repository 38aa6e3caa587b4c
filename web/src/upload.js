// Reading an uploaded file into figures rows. Bytes are decoded here (UTF-8, UTF-8 with
// BOM, UTF-16 with BOM, and GB18030/GBK when the bytes are not UTF-8, as Excel saves CSV
// on a Chinese system); parsing and validation are the core's (program.parseCsv,
// program.checkFigures). Nothing here touches the form: the caller applies a row only
// when it is valid and the dealer chose it.


export const PROGRAM_FORMAT = 'dealer-incentive-program/1';

/**
 * The largest figures file the page reads (about 12,000 dealers' rows of CSV). The core
 * parses on the page's own thread at about a second per megabyte, so a bigger file
 * would freeze the tab; it is refused before it is read. (An .xlsx file is also bounded
 * by what it unpacks to: MAX_UNZIPPED in vendor/fflate-sync.js.)
 */
export const MAX_FIGURES_BYTES = 2 * 1024 * 1024;

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

/**
 * Reads one file. Returns one of:
 *  {kind: 'rows', file, format, encoding, rows: [{line, figures, errors}], unknown: [names]}
 *  {kind: 'program', file, text}
 *  {kind: 'error', file, format, code, message, details, line, column}
 */
export async function readFiguresFile(file, program) {
  const name = file.name || 'file';
  if (file.size > MAX_FIGURES_BYTES) return tooLarge(name, fileKind(name, null), 'file_too_large', { size: megabytes(file.size), max: megabytes(MAX_FIGURES_BYTES) });
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) return { kind: 'error', file: name, code: 'empty', details: [] };
  const kind = fileKind(name, bytes);
  if (kind === 'xls') return { kind: 'error', file: name, format: 'xlsx', code: 'xlsx_broken', details: [] };

  if (kind === 'json') {
    const { text, encoding } = decodeText(bytes);
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
    return { kind: 'rows', file: name, format: 'json', encoding, rows, unknown: [] };
  }

  let text;
  let encoding;
  let format = kind;
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
  return { kind: 'rows', file: name, format, encoding, rows: parsed.rows, unknown: parsed.header.unknown || [] };
}
