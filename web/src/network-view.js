// The network view: many dealers from one file. Progress and a cancel button while the
// worker computes; then the totals across all dealers, average and median, a histogram
// of payouts, the rows that could not be computed, and a virtualised table (only the
// rows in view are in the DOM) that sorts and filters in the worker. Clicking a row (or
// Enter on its button) opens that dealer in the calculator.
//
// All text goes in with textContent (dom.js h()); bar widths and row positions through
// CSSOM, which the Content-Security-Policy allows.

import { h, replace, uid } from './dom.js';
import { pickText } from './i18n.js';
import { detailLine, codeText } from './errors.js';
import { renderHistogram } from './histogram.js';

const ROW_H = 46;
const ROW_H_NARROW = 100;
const NARROW = 760;
const OVERSCAN = 8;
const FETCH_MARGIN = 40;
const SHOW_PROBLEMS = 100;

export function sizeText(bytes, fmt) {
  if (bytes < 1024 * 1024) return `${fmt.number(Math.max(bytes, 0) / 1024, 1)} KB`;
  return `${fmt.number(bytes / 1048576, 1, { min: 1 })} MB`;
}

export class NetworkView {
  /**
   * opts: {root (section), ctx() (the element's translation and format context), file
   * (name), format ('csv'|'xlsx'|'json'), size, onOpen(k), onClose(), onCancel(), onExport()}
   */
  constructor(opts) {
    Object.assign(this, opts);
    this.phase = 'starting';
    this.mode = 'worker';
    this.progress = null;
    this.problems = [];
    this.summary = null;
    this.sort = { key: 'row', dir: 'asc' };
    this.text = '';
    this.near = 0;
    this.count = 0;
    this.cache = new Map();
    this.rowEls = new Map();
    this.seq = 0;
    this.fetching = false;
    this.focusK = null;
    this.el = {};
    this.ids = { title: uid('net-title'), filter: uid('net-filter'), near: uid('net-near'), count: uid('net-count'), table: uid('net-table') };
  }

  // ---- phases ---------------------------------------------------------------------------

  start(run) {
    this.run = run;
    this.mode = run.mode;
    this.phase = 'running';
    this.render();
  }

  setMode(mode) {
    this.mode = mode;
    this.root.dataset.mode = mode;
    if (this.phase === 'running') this.render();
  }

  setProgress(p) {
    if (p.restarted) this.problems = [];
    this.progress = p;
    if (p.problems?.length) this.problems.push(...p.problems);
    if (this.phase !== 'running') return;
    this._paintProgress();
    if (p.problems?.length || p.restarted) this._renderProblems();
  }

  async finish(summary) {
    this.summary = summary;
    this.count = summary.dealers;
    await this._applyView(false);
    this.phase = 'done';
    this.render();
  }

  // ---- rendering --------------------------------------------------------------------------

  render() {
    const ctx = this.ctx();
    const { t } = ctx;
    const root = this.root;
    root.dataset.state = this.phase;
    root.dataset.mode = this.mode;
    root.setAttribute('aria-labelledby', this.ids.title);
    const exportBtn = h('button', { type: 'button', class: 'btn primary', dataset: { action: 'network-export' }, disabled: this.phase !== 'done', onclick: () => this.onExport() }, t('network.export'));
    const closeBtn = h('button', { type: 'button', class: 'btn', dataset: { action: 'network-close' }, disabled: this.phase !== 'done', onclick: () => this.onClose() }, t('network.back'));
    const source = [this.file, sizeText(this.size, ctx.fmt), this.summary?.encoding ? t('upload.encoding', { encoding: this.summary.encoding.toUpperCase() }) : null].filter(Boolean).join(' · ');
    this.el = {};
    this.el.problems = h('div', { class: 'net-problems' });
    this.rowEls = new Map();
    replace(
      root,
      h('div', { class: 'panel-head net-head' },
        h('div', { class: 'net-head-text' },
          h('h2', { id: this.ids.title, tabindex: '-1' }, t('network.title')),
          h('p', { class: 'panel-sub' }, source),
        ),
        h('div', { class: 'net-head-actions' }, exportBtn, closeBtn),
      ),
      this.phase === 'running' ? this._progressBlock(ctx) : null,
      this.phase === 'done' ? this._summaryBlock(ctx) : null,
      this.el.problems,
      this.phase === 'done' ? this._tableBlock(ctx) : null,
    );
    this._renderProblems();
    if (this.phase === 'running') this._paintProgress();
    if (this.phase === 'done') this._layout(true);
  }

  _progressBlock(ctx) {
    const { t } = ctx;
    this.el.progressText = h('p', { class: 'net-progress-text', role: 'status' });
    this.el.bar = h('div', { class: 'bar-fill' });
    this.el.progressBar = h('div', { class: 'bar big', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'aria-label': t('network.progressLabel') }, this.el.bar);
    return h(
      'div',
      { class: 'net-progress' },
      this.el.progressText,
      this.el.progressBar,
      this.mode === 'page' ? h('p', { class: 'muted net-mode-note' }, t('network.onPage')) : null,
      h('p', null, h('button', { type: 'button', class: 'btn', dataset: { action: 'network-cancel' }, onclick: () => this.onCancel() }, t('network.cancel'))),
    );
  }

  _paintProgress() {
    const ctx = this.ctx();
    const { t, fmt } = ctx;
    const p = this.progress;
    if (!this.el.progressText) return;
    if (!p) {
      this.el.progressText.textContent = t('network.starting');
      return;
    }
    const ratio = p.total ? p.bytes / p.total : 0;
    const percent = Math.floor(ratio * 100);
    this.el.progressText.textContent = [
      t('network.progress', { read: sizeText(p.bytes, fmt), total: sizeText(p.total, fmt), percent: `${percent}%`, rows: fmt.number(p.rows, 0) }),
      p.errors ? t('network.progressErrors', { count: fmt.number(p.errors, 0) }) : '',
    ].filter(Boolean).join(t('list.sep'));
    this.el.bar.style.setProperty('width', `${(ratio * 100).toFixed(1)}%`);
    this.el.progressBar.setAttribute('aria-valuenow', String(percent));
    this.root.dataset.rows = String(p.rows);
    this.root.dataset.bytes = String(p.bytes);
  }

  _summaryBlock(ctx) {
    const { t, fmt } = ctx;
    const s = this.summary;
    const stat = (label, value, data, extra) => h('li', { class: `stat${extra ? ` ${extra}` : ''}` }, h('span', { class: 'stat-label' }, label), h('strong', { class: 'stat-value', dataset: data }, value));
    const items = [];
    for (const u of s.units) {
      items.push(stat(t('network.stat.total', { unit: fmt.unitLabel(u.unit) }), fmt.amount(u.total, u.unit), { stat: 'total', unit: u.unit, value: String(u.total) }, 'wide'));
    }
    items.push(stat(t('network.stat.dealers'), fmt.number(s.dealers, 0), { stat: 'dealers', value: String(s.dealers) }));
    items.push(stat(t('network.stat.errors'), fmt.number(s.errors, 0), { stat: 'errors', value: String(s.errors) }, s.errors ? 'bad' : ''));
    for (const u of s.units) {
      const name = fmt.unitLabel(u.unit);
      items.push(stat(t('network.stat.average', { unit: name }), fmt.amount(u.average, u.unit), { stat: 'average', unit: u.unit, value: String(u.average) }));
      items.push(stat(t('network.stat.median', { unit: name }), fmt.amount(u.median, u.unit), { stat: 'median', unit: u.unit, value: String(u.median) }));
    }
    items.push(stat(t('network.stat.awards'), fmt.number(s.withAwards, 0), { stat: 'awards', value: String(s.withAwards) }));
    items.push(stat(t('network.stat.near'), fmt.number(s.near10, 0), { stat: 'near', value: String(s.near10) }));
    const money = s.units.find((u) => u.unit === s.currency);
    const hist = money ? renderHistogram(money.histogram, ctx, { dealers: s.dealers, median: money.median }) : null;
    return h(
      'div',
      { class: 'net-summary' },
      h('div', { class: 'net-stats-box' },
        h('h3', { class: 'sr-only' }, t('network.summary')),
        h('ul', { class: 'net-stats' }, items),
        s.unknownColumns?.length ? h('p', { class: 'muted net-unknown' }, t('upload.unknownColumns', { file: this.file, list: s.unknownColumns.join(t('list.and')) })) : null,
      ),
      hist,
    );
  }

  _renderProblems() {
    const box = this.el.problems;
    if (!box) return;
    const ctx = this.ctx();
    const { t, fmt } = ctx;
    const total = this.phase === 'done' ? this.summary.errors : this.progress?.errors || this.problems.length;
    if (!this.problems.length) {
      replace(box);
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const format = this.format === 'jsonl' ? 'json' : this.format;
    const shown = this.problems.slice(0, SHOW_PROBLEMS);
    const items = shown.map((p) => {
      const details = p.details || [];
      let text;
      if (p.row === 0) {
        const why = details.length ? details.map((d) => detailLine(d, ctx, { format })).join(t('list.sep')) : codeText(p.code, ctx);
        text = `${t('network.stopped')}${t('punct.colon')}${why}`;
      } else if (details.length) {
        text = details.map((d) => detailLine(d, ctx, { row: p.row, format, noPath: format !== 'json' })).join(t('list.sep'));
      } else {
        text = `${t('loc.row', { row: p.row })}${t('punct.colon')}${codeText(p.code, ctx)}`;
      }
      return h('li', { dataset: { row: String(p.row) } }, text);
    });
    replace(
      box,
      h('h3', null, t('network.problems', { count: fmt.number(total, 0) })),
      h('ul', { class: 'notice-items net-problem-list' }, items),
      total > shown.length ? h('p', { class: 'muted' }, t('network.problemsMore', { count: fmt.number(total - shown.length, 0) })) : null,
    );
  }

  // ---- the table ----------------------------------------------------------------------------

  _columns(ctx) {
    const { t, fmt } = ctx;
    return [
      { key: 'row', cls: 'c-row', label: t('network.col.row'), numeric: true, first: 'asc' },
      { key: 'id', cls: 'c-id', label: t('network.col.id'), first: 'asc' },
      { key: 'name', cls: 'c-name', label: t('network.col.name'), first: 'asc' },
      ...this.summary.units.map((u, j) => ({ key: `total:${u.unit}`, cls: `c-total u${j}`, label: t('network.col.total', { unit: fmt.unitLabel(u.unit) }), numeric: true, first: 'desc' })),
      { key: 'awards', cls: 'c-awards', label: t('network.col.awards'), numeric: true, first: 'desc' },
      { key: 'near', cls: 'c-near', label: t('network.col.near'), numeric: true, first: 'desc' },
    ];
  }

  _tableBlock(ctx) {
    const { t } = ctx;
    const cols = this._columns(ctx);
    this.cols = cols;
    const filter = h('input', {
      type: 'search',
      id: this.ids.filter,
      class: 'net-filter',
      value: this.text,
      placeholder: t('network.filterPlaceholder'),
      autocomplete: 'off',
      spellcheck: 'false',
      oninput: (ev) => {
        clearTimeout(this._filterTimer);
        const v = ev.target.value;
        this._filterTimer = setTimeout(() => {
          this.text = v;
          this._applyView(true);
        }, 150);
      },
    });
    const near = h(
      'select',
      {
        id: this.ids.near,
        class: 'net-near',
        onchange: (ev) => {
          this.near = Number(ev.target.value);
          this._applyView(true);
        },
      },
      [0, 0.05, 0.1, 0.2].map((v) => h('option', { value: String(v), selected: v === this.near }, v ? t('network.nearWithin', { percent: `${v * 100}%` }) : t('network.nearAll'))),
    );
    this.el.count = h('p', { class: 'net-count', id: this.ids.count, role: 'status' });
    this.el.head = h('div', { class: 'net-row net-headrow', role: 'row', 'aria-rowindex': '1' });
    this.el.body = h('div', { class: 'net-body', role: 'rowgroup' });
    this.el.empty = h('p', { class: 'net-empty muted', hidden: true }, t('network.none'));
    this.el.scroll = h(
      'div',
      { class: 'net-scroll', role: 'table', id: this.ids.table, 'aria-label': t('network.tableLabel'), 'aria-describedby': this.ids.count, 'aria-colcount': String(cols.length) },
      h('div', { class: 'net-headgroup', role: 'rowgroup' }, this.el.head),
      this.el.body,
    );
    this.el.scroll.style.setProperty('--net-units', String(this.summary.units.length));
    this.el.scroll.addEventListener('scroll', () => this._schedule(), { passive: true });
    this.el.body.addEventListener('click', (ev) => {
      const row = ev.target.closest?.('.net-row');
      if (row) this.onOpen(Number(row.dataset.k));
    });
    this.el.body.addEventListener('keydown', (ev) => this._key(ev));
    if (typeof ResizeObserver === 'function') {
      this._resize?.disconnect();
      this._resize = new ResizeObserver(() => this._layout(false));
      this._resize.observe(this.el.scroll);
    }
    return h(
      'div',
      { class: 'net-table-box' },
      h('h3', null, t('network.tableTitle')),
      h('p', { class: 'panel-sub' }, t('network.tableSub')),
      h('div', { class: 'net-controls' },
        h('div', { class: 'net-control' }, h('label', { for: this.ids.filter }, t('network.filter')), filter),
        h('div', { class: 'net-control' }, h('label', { for: this.ids.near }, t('network.nearLabel')), near),
        this.el.count,
      ),
      this.el.scroll,
      this.el.empty,
    );
  }

  _renderHead() {
    const ctx = this.ctx();
    const { t } = ctx;
    replace(
      this.el.head,
      this.cols.map((c, i) => {
        const sorted = this.sort.key === c.key;
        const dir = sorted ? this.sort.dir : null;
        return h(
          'div',
          { class: `c ${c.cls}`, role: 'columnheader', 'aria-colindex': String(i + 1), 'aria-sort': sorted ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
          h('button', { type: 'button', class: `sort${sorted ? ' on' : ''}`, dataset: { sort: c.key }, title: t('network.sortBy', { column: c.label }), onclick: () => this._sortBy(c) },
            h('span', null, c.label),
            h('span', { class: 'sort-icon', 'aria-hidden': 'true' }, sorted ? (dir === 'asc' ? '▲' : '▼') : '↕'),
          ),
        );
      }),
    );
  }

  _sortBy(c) {
    if (this.sort.key === c.key) this.sort = { key: c.key, dir: this.sort.dir === 'asc' ? 'desc' : 'asc' };
    else this.sort = { key: c.key, dir: c.first };
    this._applyView(true);
  }

  /** Asks the worker for the order; the rows come when they are painted. */
  async _applyView(paint) {
    const seq = ++this.seq;
    const res = await this.run.view({ sort: this.sort, text: this.text, near: this.near });
    if (seq !== this.seq) return;
    this.count = res.count;
    this.cache = new Map();
    this.root.dataset.view = String(seq);
    if (!paint || !this.el.body) return;
    for (const el of this.rowEls.values()) el.remove();
    this.rowEls = new Map();
    this.el.scroll.scrollTop = 0;
    this._layout(true);
  }

  _rowH() {
    return this.narrow ? ROW_H_NARROW : ROW_H;
  }

  _layout(force) {
    const scroll = this.el.scroll;
    if (!scroll) return;
    const narrow = scroll.clientWidth > 0 && scroll.clientWidth < NARROW;
    if (narrow !== this.narrow || force) {
      this.narrow = narrow;
      scroll.classList.toggle('narrow', narrow);
      for (const el of this.rowEls.values()) el.remove();
      this.rowEls = new Map();
      this._renderHead();
    }
    const ctx = this.ctx();
    this.el.body.style.setProperty('height', `${this.count * this._rowH()}px`);
    scroll.setAttribute('aria-rowcount', String(this.count + 1));
    this.el.count.textContent = this.count === this.summary.dealers ? ctx.t('network.countAll', { total: ctx.fmt.number(this.count, 0) }) : ctx.t('network.count', { shown: ctx.fmt.number(this.count, 0), total: ctx.fmt.number(this.summary.dealers, 0) });
    this.el.empty.hidden = this.count > 0;
    this.root.dataset.count = String(this.count);
    this._paint();
  }

  _schedule() {
    if (this._raf) return;
    this._raf = requestAnimationFrame(() => {
      this._raf = 0;
      this._paint();
    });
  }

  _range() {
    const scroll = this.el.scroll;
    const rowH = this._rowH();
    const top = scroll.scrollTop - this.el.body.offsetTop;
    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(this.count, Math.ceil((top + (scroll.clientHeight || 600)) / rowH) + OVERSCAN);
    return [first, last];
  }

  _paint() {
    if (!this.el.body || this.phase !== 'done') return;
    const [first, last] = this._range();
    let missing = false;
    for (let k = first; k < last; k++) if (!this.cache.has(k)) missing = true;
    if (missing) this._fetch(first, last);
    // Rows leaving the window go; rows in it are built once and kept in index order.
    for (const [k, el] of this.rowEls) {
      if (k < first || k >= last) {
        el.remove();
        this.rowEls.delete(k);
      }
    }
    const ctx = this.ctx();
    let at = this.el.body.firstChild;
    for (let k = first; k < last; k++) {
      let el = this.rowEls.get(k);
      if (!el) {
        const r = this.cache.get(k);
        if (!r) continue;
        el = this._rowEl(r, ctx);
        this.rowEls.set(k, el);
      }
      if (el === at) at = at.nextSibling;
      else this.el.body.insertBefore(el, at);
    }
    this.root.dataset.first = String(first);
    // Tests wait on this: every row in view of the current order is in the DOM.
    if (!missing) this.root.dataset.painted = String(this.seq);
    if (this.focusK !== null) {
      const el = this.rowEls.get(this.focusK);
      if (el) {
        this.focusK = null;
        el.querySelector('.net-open')?.focus({ preventScroll: true });
      }
    }
  }

  _fetch(first, last) {
    this.want = [first, last];
    if (this.fetching) return;
    const seq = this.seq;
    const start = Math.max(0, first - FETCH_MARGIN);
    const end = Math.min(this.count, last + FETCH_MARGIN);
    this.fetching = true;
    this.run.rows(start, end).then(
      (rows) => {
        this.fetching = false;
        if (seq !== this.seq) {
          this._paint();
          return;
        }
        if (this.cache.size > 4000) this.cache = new Map();
        for (const r of rows) this.cache.set(r.k, r);
        this._paint();
      },
      () => {
        this.fetching = false;
      },
    );
  }

  _rowEl(r, ctx) {
    const { t, fmt, locale } = ctx;
    const rowH = this._rowH();
    const dealer = [r.id, r.name].filter(Boolean).join(' ') || t('upload.dealerUnnamed');
    const awardIds = r.awards ? r.awards.split(' ') : [];
    const awardLabels = awardIds.map((id) => pickText(ctx.rules.get(id)?.label, locale) || id).join(t('list.and'));
    const cells = [
      h('div', { class: 'c c-row', role: 'cell' }, String(r.line)),
      h('div', { class: 'c c-id', role: 'cell' },
        h('button', { type: 'button', class: 'net-open', 'aria-label': t('network.openLabel', { row: r.line, dealer }) }, r.id || '—'),
      ),
      h('div', { class: 'c c-name', role: 'cell', title: r.name || null }, r.name || '—'),
      ...this.summary.units.map((u, j) => h('div', { class: `c c-total u${j}`, role: 'cell', dataset: { unit: u.unit, value: String(r.totals[j]) } }, fmt.amount(r.totals[j], u.unit))),
      h('div', { class: 'c c-awards', role: 'cell', title: awardLabels || null, dataset: { count: String(awardIds.length) } },
        awardIds.length ? [h('span', { class: 'aw-count' }, String(awardIds.length)), h('span', { class: 'aw-list' }, awardLabels)] : h('span', { class: 'muted' }, '—'),
      ),
      this._nearCell(r, ctx),
    ];
    const el = h('div', { class: 'net-row', role: 'row', 'aria-rowindex': String(r.k + 2), dataset: { k: String(r.k), line: String(r.line), id: r.id } }, cells);
    el.style.setProperty('transform', `translateY(${r.k * rowH}px)`);
    return el;
  }

  _nearCell(r, ctx) {
    const { t, fmt, locale } = ctx;
    const n = r.near;
    if (!n) return h('div', { class: 'c c-near', role: 'cell' }, h('span', { class: 'muted' }, t('network.nearNone')));
    const rule = ctx.rules.get(n.rule) || {};
    const tier = (rule.tiers || [])[n.tier] || {};
    const tierName = pickText(tier.name, locale) || t('network.tierN', { n: n.tier + 1 });
    const pct = Math.floor(n.progress * 100);
    const fill = h('div', { class: 'bar-fill' });
    fill.style.setProperty('width', `${(n.progress * 100).toFixed(1)}%`);
    return h(
      'div',
      { class: 'c c-near', role: 'cell', dataset: { rule: n.rule, tier: String(n.tier), progress: String(n.progress) } },
      h('span', { class: 'near-what' }, t('network.nearWhat', { rule: pickText(rule.label, locale) || n.rule, tier: tierName })),
      h('span', { class: 'near-how' },
        h('span', { class: 'bar small', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'near-gap' }, t('network.nearGap', { gap: fmt.gap(rule.basis, n.gap, { max: 4 }), percent: `${pct}%` })),
      ),
    );
  }

  /** Arrow keys, Page Up/Down, Home/End move between the rows' buttons. */
  _key(ev) {
    const row = ev.target.closest?.('.net-row');
    if (!row || !ev.target.classList.contains('net-open')) return;
    const k = Number(row.dataset.k);
    const page = Math.max(1, Math.floor(this.el.scroll.clientHeight / this._rowH()) - 1);
    const to = { ArrowDown: k + 1, ArrowUp: k - 1, PageDown: k + page, PageUp: k - page, Home: 0, End: this.count - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.focusRow(Math.max(0, Math.min(this.count - 1, to)));
  }

  focusRow(k) {
    const scroll = this.el.scroll;
    const rowH = this._rowH();
    const headH = this.el.body.offsetTop;
    const top = headH + k * rowH;
    if (top - headH < scroll.scrollTop) scroll.scrollTop = top - headH;
    else if (top + rowH > scroll.scrollTop + scroll.clientHeight) scroll.scrollTop = top + rowH - scroll.clientHeight;
    this.focusK = k;
    this._paint();
  }

  dispose() {
    clearTimeout(this._filterTimer);
    this._resize?.disconnect();
    if (this._raf) cancelAnimationFrame(this._raf);
  }
}
