// The network view's computing: many dealers' rows from one file through the core's
// streaming batch (program.batch), kept compactly for a sortable, filterable table,
// totals, median and a histogram. No DOM: it runs in a Web Worker (network-worker.js)
// or, when no worker can be created, on the page's own thread in small slices.
//
// The file is read in byte chunks that end at a line break, decoded with one streaming
// TextDecoder (UTF-8, UTF-8/UTF-16 with a byte order mark, or GB18030 when the bytes are
// not UTF-8: the same choice as upload.js), and pushed into the batch. The core writes
// its CSV output (the CLI's, formula-safe); this file keeps that output as Blobs for the
// export, and parses each output row into typed arrays (totals, nearest next tier) plus
// the dealer's id and name. The chunks' byte offsets and first line numbers are kept, so
// one row's own text can be read again from the file when the dealer opens it.

export const MAX_NETWORK_ROWS = 2000000;

const CHUNK = 1 << 20; // bytes read at a time
const OUT_FLUSH = 1 << 20; // characters of output collected before they become a Blob

const RESTART = { restart: true };
export const CANCELLED = { cancelled: true };

/** A problem of the whole job (not of one row): {code, message, details}. */
export class JobError extends Error {
  constructor(code, details = [], message = code) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A string that does not keep the (large) string it was sliced from alive. */
const own = (s) => (s.length > 12 ? (` ${s}`).slice(1) : s);

/** A cell as the core wrote it → its text: a leading ' that guards a formula is dropped for display. */
export function unguard(s) {
  return s.length > 1 && s.charCodeAt(0) === 39 && /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
}

/** CSV text of whole records (the core's output) → one array of cells per record. */
export function parseCsvRecords(text, onRecord) {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cells = [];
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let s = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            s += text.slice(j);
            j = n;
            break;
          }
          s += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            s += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        cells.push(s);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 13 || c === 10) break;
          j++;
        }
        cells.push(text.slice(i, j));
        i = j;
      }
      if (text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (text.charCodeAt(i) === 13) i++;
      if (text.charCodeAt(i) === 10) i++;
      break;
    }
    onRecord(cells);
  }
}

/** One TSV cell → one CSV cell (as upload.js turns Excel's "Unicode text" into CSV). */
function csvCell(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
/** TSV text of whole lines → CSV text with the same lines. */
export function tsvToCsv(text) {
  return text
    .split('\n')
    .map((line) => (line ? line.replace(/\r$/, '').split('\t').map(csvCell).join(',') : line))
    .join('\n');
}

/** Bytes at the start of a file → {encoding, skip} from a byte order mark, else null. */
export function bomOf(b) {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  return null;
}

/** Index just after the last line break in bytes (0 when there is none). */
function afterLastNewline(b, encoding) {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const le = encoding === 'utf-16le';
    for (let i = (b.length & ~1) - 2; i >= 0; i -= 2) {
      if (le ? b[i] === 0x0a && b[i + 1] === 0 : b[i] === 0 && b[i + 1] === 0x0a) return i + 2;
    }
    return 0;
  }
  // 0x0A is never part of a multi-byte character in UTF-8 or GB18030.
  return b.lastIndexOf(0x0a) + 1;
}

function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A growable typed array. */
class Column {
  constructor(Type, size = 1024) {
    this.Type = Type;
    this.a = new Type(size);
  }
  set(i, v) {
    if (i >= this.a.length) {
      const b = new this.Type(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[i] = v;
  }
}

/** The nearest next tier's share of the step covered, 0..1 (as the core picks the nearest tier). */
function stepProgress(rule, tier, gap) {
  const tiers = rule?.tiers || [];
  const next = tiers[tier];
  if (!next || typeof next.from !== 'number' || !Number.isFinite(gap)) return 0;
  const current = next.from - gap;
  const lo = tier >= 1 ? tiers[tier - 1].from : Math.min(0, current);
  const span = next.from - lo;
  if (!(span > 0)) return 0;
  return Math.max(0, Math.min(1, Math.round(((current - lo) / span) * 1e4) / 1e4));
}

/** A round step for about `bins` bins over `range`: 1, 2, 2.5 or 5 × a power of ten. */
export function niceStep(range, bins = 10) {
  if (!(range > 0)) return 1;
  const rough = range / bins;
  const pow = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

/**
 * Histogram of sorted values: round bins from the lowest value up to the 99th percentile
 * (about ten of them), and one more for everything above ("≥ to") when there is a tail.
 */
export function histogram(sorted) {
  const n = sorted.length;
  if (!n) return { step: 0, bins: [] };
  const min = sorted[0];
  const max = sorted[n - 1];
  const base = Math.min(0, min);
  let top = sorted[Math.min(n - 1, Math.floor(n * 0.99))];
  if (top <= base) top = max;
  const step = niceStep(top - base || Math.abs(max) || 1, 10);
  const lo = Math.floor(base / step) * step;
  let count = Math.max(1, Math.ceil((top - lo) / step));
  if (lo + count * step <= top) count += 1;
  const tail = max >= lo + count * step;
  const bins = [];
  for (let i = 0; i < count; i++) bins.push({ from: lo + i * step, to: lo + (i + 1) * step, count: 0 });
  if (tail) bins.push({ from: lo + count * step, to: null, count: 0 });
  for (let i = 0; i < n; i++) {
    const k = Math.min(bins.length - 1, Math.floor((sorted[i] - lo) / step));
    bins[Math.max(0, k)].count += 1;
  }
  return { step, bins };
}

export class NetworkJob {
  /**
   * calc: the DealerCalc API; programText: the programme's JSON text; file: a Blob of the
   * figures; input: 'csv' (CSV or tab-separated text) or 'jsonl'.
   * opts: {sliceChars, onProgress({bytes, total, rows, errors, encoding}), yieldNow(): Promise|null, locale}
   */
  constructor(calc, programText, file, input, opts = {}) {
    this.calc = calc;
    this.program = calc.loadProgram(programText);
    const source = this.program.info.source || {};
    this.rules = source.rules || [];
    this.ruleIndex = new Map(this.rules.map((r, i) => [r.id, i]));
    this.units = [this.program.info.currency, ...(this.program.info.units || []).filter((u) => !u.currency && u.id !== this.program.info.currency).map((u) => u.id)];
    this.currency = this.program.info.currency;
    this.file = file;
    this.input = input === 'jsonl' ? 'jsonl' : 'csv';
    this.sliceChars = opts.sliceChars || 256 * 1024;
    this.onProgress = opts.onProgress || (() => {});
    this.yieldNow = opts.yieldNow || null;
    this.locale = opts.locale || 'en';
    this.cancelled = false;
    this._reset();
  }

  _reset() {
    this.n = 0;
    this.line = new Column(Uint32Array);
    this.totals = this.units.map(() => new Column(Float64Array));
    this.award = new Column(Uint32Array);
    this.awardSets = [''];
    this.awardSetIndex = new Map([['', 0]]);
    this.nearRule = new Column(Int16Array);
    this.nearTier = new Column(Int16Array);
    this.nearGap = new Column(Float64Array);
    this.nearProgress = new Column(Float32Array);
    this.ids = [];
    this.names = [];
    this.lower = null;
    this.cols = null;
    this.problemRows = [];
    this.problems = [];
    this.problemCount = 0;
    this.pieceStart = [];
    this.pieceLine = [];
    this.outBlobs = [];
    this.outPending = [];
    this.outPendingLength = 0;
    this.view = null;
    this.status = null;
    this.tsv = false;
    this._sent = 0;
    this._restarted = this._started === true;
    this._started = true;
  }

  cancel() {
    this.cancelled = true;
  }

  /** Reads the whole file through the batch. Resolves to the summary. */
  async run() {
    const head = new Uint8Array(await this.file.slice(0, 4).arrayBuffer());
    const bom = bomOf(head);
    let encoding = bom ? bom.encoding : 'utf-8';
    for (;;) {
      try {
        await this._pass(encoding, bom ? bom.skip : 0, !bom);
        break;
      } catch (err) {
        // Not UTF-8 after all: read it again as GB18030 (what Excel writes on a Chinese system).
        if (err === RESTART && encoding === 'utf-8') {
          encoding = 'gb18030';
          this._reset();
          continue;
        }
        throw err;
      }
    }
    this.encoding = encoding;
    return this.summary();
  }

  async _pass(encoding, skip, fatal) {
    const file = this.file;
    const total = file.size;
    this.encoding = encoding;
    const decoder = new TextDecoder(encoding, { fatal });
    this._decoder = { encoding, skip };
    const batch = this.program.batch({ input: this.input, output: 'csv' });
    this.batch = batch;
    let pos = skip;
    let lineNo = 1;
    let lastYield = now();
    try {
      while (pos < total) {
        let size = CHUNK;
        let bytes;
        let end;
        for (;;) {
          bytes = new Uint8Array(await file.slice(pos, Math.min(total, pos + size)).arrayBuffer());
          if (pos + bytes.length >= total) {
            end = bytes.length;
            break;
          }
          end = afterLastNewline(bytes, encoding);
          if (end > 0) break;
          size *= 2; // a line longer than the chunk
        }
        if (this.cancelled) throw CANCELLED;
        let text;
        try {
          text = decoder.decode(bytes.subarray(0, end), { stream: pos + end < total });
        } catch {
          if (fatal) throw RESTART;
          throw new JobError('unreadable');
        }
        this.pieceStart.push(pos);
        this.pieceLine.push(lineNo);
        if (pos === skip && this.input === 'csv') {
          const first = text.slice(0, text.indexOf('\n') >>> 0);
          this.tsv = !first.includes(',') && first.includes('\t');
        }
        lineNo += countLines(text);
        if (this.tsv) text = tsvToCsv(text);
        for (let i = 0; i < text.length; i += this.sliceChars) {
          this._take(this._push(batch, text.length <= this.sliceChars ? text : text.slice(i, i + this.sliceChars)));
          if (this.yieldNow && now() - lastYield > 12) {
            await this.yieldNow();
            lastYield = now();
            if (this.cancelled) throw CANCELLED;
          }
        }
        pos += end;
        this._progress(pos, total);
      }
      this._take(this._push(batch, null));
      this.status = batch.status();
      this._flushOut(true);
      this._progress(total, total);
    } finally {
      this._endBatch();
    }
    if (!this.n && !this.problemCount) throw new JobError('no_rows');
  }

  _endBatch() {
    if (this.batch) {
      try {
        if (!this.status) this.status = this.batch.status();
      } catch {
        /* the engine failed */
      }
      this.batch.dispose();
      this.batch = null;
    }
  }

  /** push (or finish, text null) and collect the rows that failed. */
  _push(batch, text) {
    let out;
    try {
      out = text === null ? batch.finish() : batch.push(text);
    } catch (err) {
      // An unusable header ends the batch: the whole file fails.
      throw new JobError(err?.code || 'internal_error', err?.details || [], String(err?.message || err));
    }
    for (const p of batch.takeProblems()) {
      this.problemCount += 1;
      if (p.row > 0) this.problemRows.push(p.row);
      // Details for the first thousand; the rest are counted.
      if (this.problems.length < 1000 || p.row === 0) this.problems.push({ row: p.row, code: p.error.code, message: p.error.message, details: p.error.details || [] });
    }
    if (this.n + this.problemCount > MAX_NETWORK_ROWS) throw new JobError('too_many_rows', [{ path: '', reason: 'too_many_rows', message: 'too many rows', args: { max: MAX_NETWORK_ROWS } }]);
    return out;
  }

  _newProblems() {
    const sent = this._sent || 0;
    this._sent = this.problems.length;
    return this.problems.slice(sent);
  }

  _progress(bytes, total) {
    const restarted = this._restarted;
    this._restarted = false;
    this.onProgress({ bytes, total, rows: this.n, errors: this.problemCount, encoding: this.encoding, problems: this._newProblems(), restarted });
  }

  /** Output text of whole rows → the export Blobs and the columns. */
  _take(out) {
    if (!out) return;
    this.outPending.push(out);
    this.outPendingLength += out.length;
    this._flushOut(false);
    parseCsvRecords(out, (cells) => {
      if (!this.cols) {
        this._header(cells);
        return;
      }
      this._row(cells);
    });
  }

  _flushOut(all) {
    if (this.outPending.length && (all || this.outPendingLength >= OUT_FLUSH)) {
      this.outBlobs.push(new Blob(this.outPending));
      this.outPending = [];
      this.outPendingLength = 0;
    }
  }

  _header(cells) {
    const at = new Map(cells.map((c, i) => [c, i]));
    this.cols = {
      row: at.get('row'),
      id: at.get('dealer_id'),
      name: at.get('dealer_name'),
      totals: this.units.map((u) => at.get(`total_${u}`) ?? -1),
      awards: at.get('awards') ?? -1,
      rule: at.get('nearest_rule') ?? -1,
      tier: at.get('nearest_tier') ?? -1,
      gap: at.get('nearest_gap') ?? -1,
    };
  }

  _row(cells) {
    const c = this.cols;
    const i = this.n;
    this.line.set(i, Number(cells[c.row]));
    this.ids.push(own(unguard(cells[c.id] || '')));
    this.names.push(own(unguard(cells[c.name] || '')));
    for (let u = 0; u < c.totals.length; u++) this.totals[u].set(i, c.totals[u] >= 0 ? Number(cells[c.totals[u]]) || 0 : 0);
    const aw = c.awards >= 0 ? cells[c.awards] : '';
    let a = this.awardSetIndex.get(aw);
    if (a === undefined) {
      a = this.awardSets.length;
      this.awardSets.push(aw);
      this.awardSetIndex.set(aw, a);
    }
    this.award.set(i, a);
    const ruleId = c.rule >= 0 ? cells[c.rule] : '';
    const r = ruleId ? this.ruleIndex.get(ruleId) ?? -1 : -1;
    this.nearRule.set(i, r);
    if (r >= 0) {
      const tier = Number(cells[c.tier]);
      const gap = Number(cells[c.gap]);
      this.nearTier.set(i, tier);
      this.nearGap.set(i, gap);
      this.nearProgress.set(i, stepProgress(this.rules[r], tier, gap));
    } else {
      this.nearTier.set(i, -1);
      this.nearGap.set(i, 0);
      this.nearProgress.set(i, -1);
    }
    this.n = i + 1;
  }

  // ---- after the run ------------------------------------------------------------------

  summary() {
    const n = this.n;
    const units = this.units.map((u, k) => {
      const values = this.totals[k].a.slice(0, n).sort();
      const total = this.status?.totals?.[u] ?? 0;
      const median = n ? (n % 2 ? values[(n - 1) >> 1] : (values[n / 2 - 1] + values[n / 2]) / 2) : 0;
      const out = { unit: u, total, average: n ? total / n : 0, median, min: n ? values[0] : 0, max: n ? values[n - 1] : 0 };
      if (u === this.currency) out.histogram = histogram(values);
      return out;
    });
    let withAwards = 0;
    let near10 = 0;
    for (let i = 0; i < n; i++) {
      if (this.award.a[i]) withAwards += 1;
      if (this.nearProgress.a[i] >= 0.9) near10 += 1;
    }
    return {
      dealers: n,
      rows: this.status?.rows ?? n,
      errors: this.status?.errors ?? this.problemCount,
      stopped: Boolean(this.status?.stopped),
      totals: this.status?.totals || {},
      unknownColumns: this.status?.unknownColumns || [],
      currency: this.currency,
      units,
      withAwards,
      near10,
      encoding: this.encoding,
      tsv: this.tsv,
      awardSets: this.awardSets,
    };
  }

  /**
   * The table's order: sort {key: 'row'|'id'|'name'|'total:<unit>'|'awards'|'near', dir: 'asc'|'desc'}
   * and filter {text, near (a share of the step still to go, e.g. 0.1)}. Returns {count}.
   */
  setView({ sort = { key: 'row', dir: 'asc' }, text = '', near = 0 } = {}) {
    const n = this.n;
    const key = sort.key || 'row';
    const desc = sort.dir === 'desc';
    let order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (key === 'id' || key === 'name') {
      const list = key === 'id' ? this.ids : this.names;
      const collator = new Intl.Collator(this.locale, { numeric: true, sensitivity: 'base' });
      order.sort((a, b) => collator.compare(list[a], list[b]) * (desc ? -1 : 1) || a - b);
    } else if (key !== 'row') {
      let values;
      if (key === 'awards') {
        const counts = this.awardSets.map((s) => (s ? s.split(' ').length : 0));
        values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = counts[this.award.a[i]];
      } else if (key === 'near') {
        values = this.nearProgress.a;
      } else {
        const u = this.units.indexOf(key.slice(6));
        values = this.totals[Math.max(0, u)].a;
      }
      const missingLast = key === 'near';
      order.sort((a, b) => {
        const x = values[a];
        const y = values[b];
        if (missingLast && (x < 0 || y < 0)) return x < 0 && y < 0 ? a - b : x < 0 ? 1 : -1;
        return (desc ? y - x : x - y) || a - b;
      });
    } else if (desc) {
      order.reverse();
    }
    const needle = String(text || '').trim().toLowerCase();
    const nearMin = near > 0 ? 1 - near : -1;
    if (needle || nearMin >= 0) {
      if (needle && !this.lower) this.lower = { ids: this.ids.map((s) => s.toLowerCase()), names: this.names.map((s) => s.toLowerCase()) };
      const kept = new Uint32Array(n);
      let m = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k];
        if (nearMin >= 0 && !(this.nearProgress.a[i] >= nearMin)) continue;
        if (needle && !this.lower.ids[i].includes(needle) && !this.lower.names[i].includes(needle)) continue;
        kept[m++] = i;
      }
      order = kept.slice(0, m);
    }
    this.view = order;
    return { count: order.length };
  }

  /** Rows start..end of the current view, as plain objects. */
  rows(start, end) {
    if (!this.view) this.setView();
    const view = this.view;
    const out = [];
    for (let k = Math.max(0, start); k < Math.min(end, view.length); k++) {
      const i = view[k];
      const r = this.nearRule.a[i];
      out.push({
        k,
        i,
        line: this.line.a[i],
        id: this.ids[i],
        name: this.names[i],
        totals: this.totals.map((c) => c.a[i]),
        awards: this.awardSets[this.award.a[i]],
        near: r >= 0 ? { rule: this.rules[r].id, tier: this.nearTier.a[i], gap: this.nearGap.a[i], progress: Math.round(this.nearProgress.a[i] * 1e4) / 1e4 } : null,
      });
    }
    return out;
  }

  /** The rows' lines that start each row: good ones and skipped ones. */
  _nextRowLine(i) {
    const line = this.line.a[i];
    let next = i + 1 < this.n ? this.line.a[i + 1] : Infinity;
    // Skipped rows come in file order too.
    const p = this.problemRows;
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid] <= line) lo = mid + 1;
      else hi = mid;
    }
    if (lo < p.length) next = Math.min(next, p[lo]);
    return next;
  }

  /** Text of the lines from..to-1 (1-based) of the file, as the core read it. */
  async _lines(from, to) {
    const starts = this.pieceStart;
    const lines = this.pieceLine;
    let p = 0;
    while (p + 1 < lines.length && lines[p + 1] <= from) p++;
    let q = p;
    while (q + 1 < lines.length && lines[q + 1] < to) q++;
    const end = q + 1 < starts.length ? starts[q + 1] : this.file.size;
    const bytes = new Uint8Array(await this.file.slice(starts[p], end).arrayBuffer());
    let text = new TextDecoder(this._decoder.encoding).decode(bytes);
    let at = 0;
    for (let l = lines[p]; l < from && at >= 0; l++) {
      at = text.indexOf('\n', at);
      if (at >= 0) at += 1;
    }
    if (at < 0) return '';
    let stop = at;
    for (let l = from; l < to && stop >= 0; l++) {
      stop = text.indexOf('\n', stop);
      if (stop >= 0) stop += 1;
    }
    text = text.slice(at, stop < 0 ? text.length : stop);
    return this.tsv ? tsvToCsv(text) : text;
  }

  /**
   * The text of the k-th row of the view, to open that dealer: {input, line, header, text,
   * single} (CSV: the header lines and the row's lines, and the row's first line alone).
   */
  async rowText(k) {
    const i = this.view ? this.view[k] : k;
    if (i === undefined || i >= this.n) throw new JobError('no_row');
    const line = this.line.a[i];
    if (this.input === 'jsonl') return { input: 'jsonl', line, text: await this._lines(line, line + 1) };
    const first = Math.min(this.line.a[0], this.problemRows.length ? this.problemRows[0] : Infinity);
    const header = await this._lines(1, first);
    const next = this._nextRowLine(i);
    const text = await this._lines(line, Number.isFinite(next) ? next : line + 1);
    const single = await this._lines(line, line + 1);
    return { input: 'csv', line, header, text, single };
  }

  /** The core's CSV output of every row, UTF-8 with a byte order mark (Excel on Chinese Windows). */
  exportBlob() {
    return new Blob(['\uFEFF', ...this.outBlobs], { type: 'text/csv;charset=utf-8' });
  }

  dispose() {
    this._endBatch();
    this.program?.dispose();
    this.program = null;
  }
}

function now() {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
