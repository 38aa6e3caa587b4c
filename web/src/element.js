// <dealer-calculator>: the whole calculator as one custom element.
//
//   <dealer-calculator locale="zh-CN" program-src="programs/sample/program.json">
//     <script type="application/json" data-role="program">…programme…</script>          (optional, inline)
//     <script type="application/json" data-role="example-figures">…figures…</script>    (optional)
//   </dealer-calculator>
//
// Attributes mirrored by properties: locale, program-src. Events (bubbling, composed):
// dealer-result {result, figures}, dealer-error {error}, figures-changed {figures, raw}.
// All computing is the core's (WASM): this element turns typing into figures, calls
// program.evaluate(), and renders the result.

import { getCalc } from './calc.js';
import STYLES from './styles.css';
import { h, replace } from './dom.js';
import { translator, detectLocale, normalizeLocale, pickText, LOCALES, LOCALE_NAMES } from './i18n.js';
import { makeFormat } from './format.js';
import { buildForm } from './form.js';
import { buildFigures, valueToRaw, isIsoDate, todayIso } from './figures.js';
import * as storage from './storage.js';
import { readFiguresFile } from './upload.js';
import { renderSummary, renderWarnings } from './render-summary.js';
import { renderActions } from './render-actions.js';
import { renderComponent, renderAdjustments, renderAwards } from './render-components.js';
import { renderScores } from './render-scores.js';
import { renderRules } from './render-rules.js';
import { renderStatement } from './render-statement.js';
import { Notices } from './notices.js';
import { detailLine, codeText, reasonText } from './errors.js';
import { downloadBlob, templateCsvFile, templateXlsxFile, resultCsvFile, safeName } from './download.js';
import { startNetwork, CANCELLED } from './network-client.js';
import { NetworkView } from './network-view.js';

// The same bundle also runs as the network view's worker (offline file, classic script),
// where there is no DOM: the class must still be definable there.
const ElementBase = typeof HTMLElement === 'function' ? HTMLElement : class {};

// One constructed stylesheet per document (a sheet can only be adopted in the document
// that made it). It is never changed after creation: instances share nothing mutable.
const sheets = new WeakMap();
function styleSheet(doc) {
  let sheet = sheets.get(doc);
  if (!sheet) {
    sheet = new (doc.defaultView?.CSSStyleSheet || CSSStyleSheet)();
    sheet.replaceSync(STYLES);
    sheets.set(doc, sheet);
  }
  return sheet;
}

const splitList = (v) => String(v || '').split(/[\s,]+/).filter(Boolean);

const emptyState = () => ({ raw: {}, dealer: { id: '', name: '' }, asOf: '' });

export class DealerCalculatorElement extends ElementBase {
  static get observedAttributes() {
    return ['locale', 'program-src', 'dealer-id', 'dealer-name', 'readonly-metrics'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.adoptedStyleSheets = [styleSheet(this.ownerDocument || document)];
    this._calc = null;
    this._program = null;
    this._state = emptyState();
    this._result = null;
    this._openCharts = new Set();
    this._revision = 0;
    this._example = null;
    this._exampleFor = null;
    this._saveTimer = 0;
    this._started = false;
    this._loadToken = 0;
  }

  // ---- attributes and properties ------------------------------------------------

  get locale() {
    return normalizeLocale(this.getAttribute('locale')) || this._autoLocale || 'en';
  }
  set locale(v) {
    const l = normalizeLocale(v);
    if (l) this.setAttribute('locale', l);
    else this.removeAttribute('locale');
  }

  get programSrc() {
    return this.getAttribute('program-src') || '';
  }
  set programSrc(v) {
    if (v) this.setAttribute('program-src', v);
    else this.removeAttribute('program-src');
  }

  /** dealer-id: the dealer a portal signs in (read-only in the form; part of the autosave key). */
  get dealerId() {
    return this.getAttribute('dealer-id') || '';
  }
  set dealerId(v) {
    if (v === null || v === undefined || v === '') this.removeAttribute('dealer-id');
    else this.setAttribute('dealer-id', String(v));
  }

  get dealerName() {
    return this.getAttribute('dealer-name') || '';
  }
  set dealerName(v) {
    if (v === null || v === undefined || v === '') this.removeAttribute('dealer-name');
    else this.setAttribute('dealer-name', String(v));
  }

  /** readonly-metrics: metric ids the portal supplies (array; the attribute is comma-separated). */
  get readonlyMetrics() {
    return splitList(this.getAttribute('readonly-metrics'));
  }
  set readonlyMetrics(v) {
    const list = Array.isArray(v) ? v.map(String) : splitList(v);
    if (list.length) this.setAttribute('readonly-metrics', list.join(','));
    else this.removeAttribute('readonly-metrics');
  }

  /**
   * no-autosave: figures are neither restored from nor saved on this device (an iframe that
   * any site could frame must not hand it the dealer's saved figures).
   */
  get noAutosave() {
    return this.hasAttribute('no-autosave');
  }
  set noAutosave(v) {
    this.toggleAttribute('no-autosave', !!v);
  }

  /** The loaded programme's info (ProgramInfo) or null. */
  get program() {
    return this._program ? this._program.info : null;
  }
  /** Loads a programme (object or JSON text). Resolves true when it loaded. */
  set program(p) {
    this.loadProgram(typeof p === 'string' ? p : JSON.stringify(p), 'program');
  }

  get result() {
    return this._result;
  }

  /** The current figures document (what the core evaluates). */
  get figures() {
    if (!this._program) return null;
    return JSON.parse(buildFigures(this._program.info.metrics, this._state, this._symbols()).json);
  }
  /**
   * Sets figures (a figures document object or JSON text): the metrics it has replace the
   * form's values (readonly ones included), the others are kept. Before a programme is
   * loaded, the figures wait for it.
   */
  set figures(f) {
    let doc = f;
    if (typeof f === 'string') {
      try {
        doc = JSON.parse(f);
      } catch (err) {
        this._emitError({ code: 'parse_error', message: String(err?.message || err), details: [] });
        return;
      }
    }
    if (!doc || typeof doc !== 'object') return;
    if (!this._program) {
      this._pendingFigures = doc;
      return;
    }
    this._setFigures(doc);
  }

  /** Evaluates the current figures in full (drivers included) and returns the Result; null (and a dealer-error event) when they are not valid or no programme is loaded. */
  evaluate() {
    if (!this._program) return null;
    const built = buildFigures(this._program.info.metrics, this._state, this._symbols());
    const local = Object.entries(built.localErrors);
    if (local.length) {
      this._emitError({ code: 'invalid_figures', message: 'invalid figures', details: local.map(([id, p]) => ({ path: `/values/${id}`, reason: p.reason, args: p.args, message: p.message || '' })) });
      return null;
    }
    try {
      return this._program.evaluate(built.json);
    } catch (err) {
      this._emitError(plainError(err));
      return null;
    }
  }

  /** Clears what the dealer typed (the portal's readonly figures and dealer stay). */
  reset() {
    if (this._program) this._reset();
  }

  set exampleFigures(f) {
    this._example = f || null;
    this._exampleFor = this._program ? this._program.info.id : null;
    if (this._program) this._renderToolbar();
  }

  attributeChangedCallback(name, oldValue, value) {
    if (!this._started || oldValue === value) return;
    if (name === 'locale') this._relocale();
    if (name === 'program-src' && value) this._loadFromSrc(value);
    if (!this._program) return;
    if (name === 'dealer-id') {
      // Another dealer: their own saved figures (the autosave key has the dealer id).
      this._flushSave();
      this._initState();
      this._renderForm();
      this._changed();
    } else if (name === 'dealer-name') {
      if (value) this._state.dealer.name = value;
      this._renderForm();
      this._changed();
    } else if (name === 'readonly-metrics') {
      this._renderForm();
      this._update();
    }
  }

  connectedCallback() {
    if (this._started) return;
    this._started = true;
    this._autoLocale = normalizeLocale(storage.loadLocale()) || detectLocale();
    this._buildShell();
    this._start();
  }

  disconnectedCallback() {
    this._flushSave();
    // Removed (not just moved): stop the network view's worker.
    setTimeout(() => {
      if (!this.isConnected) this._closeNetwork(true);
    }, 0);
  }

  // ---- start-up -------------------------------------------------------------------

  async _start() {
    this._setStatus(this._t('app.loading'));
    try {
      this._calc = await getCalc();
      mark('dealer-engine');
    } catch (err) {
      this._setStatus(this._t('app.engineFailed', { message: String(err?.message || err) }), true);
      this._emitError({ code: 'internal_error', message: String(err?.message || err), details: [] });
      return;
    }
    const inline = this.querySelector('script[type="application/json"][data-role="program"]');
    const example = this.querySelector('script[type="application/json"][data-role="example-figures"]');
    if (example && !this._example) {
      try {
        this._example = JSON.parse(example.textContent);
      } catch {
        this._example = null;
      }
    }
    if (this._pendingProgram) {
      await this.loadProgram(this._pendingProgram.text, this._pendingProgram.name);
    } else if (inline) {
      await this.loadProgram(inline.textContent, 'program.json');
    } else if (this.programSrc) {
      await this._loadFromSrc(this.programSrc);
    } else {
      this._setStatus(this._t('app.noProgram'));
    }
    if (this._program && this._example && !this._exampleFor) this._exampleFor = this._program.info.id;
    this._renderToolbar();
  }

  async _loadFromSrc(url) {
    const token = ++this._loadToken;
    let text;
    try {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (err) {
      if (token !== this._loadToken) return false;
      this._notices.show(() => ({ type: 'error', kind: 'program', text: this._t('program.fetchFailed', { url, message: String(err?.message || err) }) }));
      if (!this._program) this._setStatus(this._t('app.noProgram'));
      this._emitError({ code: 'fetch_failed', message: String(err?.message || err), details: [] });
      return false;
    }
    if (token !== this._loadToken) return false;
    const name = decodeURIComponent(String(url).split(/[?#]/)[0].split('/').pop() || 'program.json');
    return this.loadProgram(text, name);
  }

  /** Loads a programme from JSON text. A programme with errors leaves the current one in place. */
  async loadProgram(text, name = 'program.json') {
    if (!this._calc) {
      this._pendingProgram = { text, name };
      return false;
    }
    let program;
    try {
      program = this._calc.loadProgram(text);
      mark('dealer-program');
    } catch (err) {
      this._showProgramErrors(err, name);
      if (!this._program) this._setStatus(this._t('app.noProgram'));
      this._emitError(plainError(err));
      return false;
    }
    const previous = this._program;
    if (previous) {
      this._flushSave();
      if (previous !== program) previous.dispose();
    }
    this._closeNetwork(true);
    this._program = program;
    // The network view's worker loads the programme from the same text.
    this._programText = text;
    this._notices.clear('program');
    this._openCharts.clear();
    this._result = null;
    this._initState();
    this._renderAll();
    if (previous) {
      this._notices.show(() => ({ type: 'success', kind: 'program', text: this._t('program.loaded', { name: pickText(program.info.name, this.locale), version: program.info.version }) }));
    }
    return true;
  }

  _initState() {
    const info = this._program.info;
    const shared = storage.parseShareHash(globalThis.location?.hash || '');
    // The autosave key of this state: a later dealer-id change saves to the old one first.
    this._saveDealer = this.dealerId;
    const saved = this.noAutosave ? null : storage.loadSaved(info.id, info.version, this._saveDealer);
    let state = null;
    if (shared) {
      if (shared.id === info.id && (!shared.version || shared.version === info.version)) {
        state = shared.state;
        this._notices.show(() => ({ type: 'success', kind: 'share', text: this._t('share.applied') }));
        // The figures now live in this device's autosave; drop them from the address so
        // a reload does not bring back the shared values over later edits.
        try {
          history.replaceState(history.state, '', globalThis.location.href.split('#')[0]);
        } catch {
          /* file:// in some browsers */
        }
      } else {
        this._notices.show(() => ({ type: 'info', kind: 'share', text: this._t('share.otherProgram', { id: shared.id, version: shared.version }) }));
      }
    }
    if (!state && saved) {
      state = saved;
      if (Object.keys(saved.raw).length) this._notices.show(() => ({ type: 'info', kind: 'restore', text: this._t('restore.done') }));
    }
    if (!state) {
      state = emptyState();
      state.asOf = this._defaultAsOf();
    }
    const known = new Set(info.metrics.map((m) => m.id));
    for (const k of Object.keys(state.raw)) if (!known.has(k)) delete state.raw[k];
    this._state = state;
    if (this.dealerId) state.dealer.id = this.dealerId;
    if (this.dealerName) state.dealer.name = this.dealerName;
    if (this._pendingFigures) {
      this._mergeFigures(this._pendingFigures, true);
      this._pendingFigures = null;
      this._scheduleSave();
    }
    if (shared && state === shared.state) this._save();
  }

  /** Copies a figures document into the form state; returns how many metrics it set. */
  _mergeFigures(figures, portal) {
    const fixed = portal ? null : new Set(this.readonlyMetrics);
    const values = figures?.values || {};
    let count = 0;
    for (const m of this._program.info.metrics) {
      if (!(m.id in values) || values[m.id] === null) continue;
      if (fixed?.has(m.id)) continue; // an upload does not change what the portal supplies
      this._state.raw[m.id] = valueToRaw(m, values[m.id]);
      count += 1;
    }
    if (figures?.dealer?.id && (portal || !this.dealerId)) this._state.dealer.id = String(figures.dealer.id);
    if (figures?.dealer?.name && (portal || !this.dealerName)) this._state.dealer.name = String(figures.dealer.name);
    if (figures?.as_of && isIsoDate(figures.as_of)) this._state.asOf = figures.as_of;
    return count;
  }

  /** figures set by the portal (property or postMessage): applied quietly. */
  _setFigures(figures) {
    this._mergeFigures(figures, true);
    this._renderForm();
    this._changed();
    this._flushSave();
  }

  _defaultAsOf() {
    const p = this._program?.info.period;
    const today = todayIso();
    return p && today >= p.start && today <= p.end ? today : '';
  }

  // ---- translation and formats ------------------------------------------------------

  _t(key, args) {
    if (!this.__t || this.__t.locale !== this.locale) this.__t = translator(this.locale);
    return this.__t(key, args);
  }

  _ctx() {
    const locale = this.locale;
    if (this.__ctx && this.__ctx.locale === locale && this.__ctx.program === this._program) return this.__ctx;
    const t = translator(locale);
    const info = this._program.info;
    const source = info.source || {};
    const fmt = makeFormat(locale, info, t);
    this.__ctx = {
      locale,
      program: this._program,
      t,
      fmt,
      info,
      source,
      rules: new Map((source.rules || []).map((r) => [r.id, r])),
      caps: new Map((source.caps || []).map((c) => [c.id, c])),
      scores: new Map((source.scores || []).map((s) => [s.id, s])),
      values: {},
    };
    return this.__ctx;
  }

  _symbols() {
    const sym = this._program ? this._ctx().fmt.symbol : '¥';
    if (this.__symbols?.[0] !== sym) this.__symbols = [...new Set([sym, '¥', '￥', '$', '€'])];
    return this.__symbols;
  }

  // ---- the shell ------------------------------------------------------------------

  _buildShell() {
    const root = this.shadowRoot;
    this._notices = new Notices((k, a) => this._t(k, a));
    this._el = {};
    const e = this._el;
    e.title = h('h1', { class: 'title' });
    e.eyebrow = h('p', { class: 'eyebrow' });
    e.meta = h('p', { class: 'meta' });
    e.langLabel = h('label', { for: 'lang-select', class: 'lang-label' });
    e.lang = h('select', { id: 'lang-select', class: 'lang-select', onchange: (ev) => this._chooseLocale(ev.target.value) },
      LOCALES.map((l) => h('option', { value: l, lang: l }, LOCALE_NAMES[l])));
    e.toolbar = h('nav', { class: 'toolbar', part: 'toolbar' });
    e.status = h('p', { class: 'status', role: 'status' });
    e.summary = h('section', { class: 'summary', part: 'total', 'aria-labelledby': 'summary-title' });
    e.actions = h('section', { class: 'panel actions', part: 'actions panel', 'aria-labelledby': 'actions-title' });
    e.form = h('section', { class: 'panel form', part: 'form panel', 'aria-labelledby': 'form-title' });
    e.comps = h('section', { class: 'panel comps', part: 'components panel', 'aria-labelledby': 'comps-title' });
    e.scores = h('section', { class: 'panel scores-panel', part: 'scores panel', 'aria-labelledby': 'scores-title' });
    e.awards = h('section', { class: 'panel awards-panel', part: 'awards panel', 'aria-labelledby': 'awards-title' });
    e.rules = h('section', { class: 'panel rules', part: 'rules panel', 'aria-labelledby': 'rules-title' });
    e.statement = h('section', { class: 'statement' });
    e.network = h('section', { class: 'panel network', part: 'network panel', hidden: true });
    e.layout = h('main', { class: 'layout' }, e.summary, e.actions, e.form, e.comps, e.scores, e.awards, e.rules);
    e.sticky = h('div', { class: 'sticky-total', 'aria-hidden': 'true' });
    e.privacy = h('p', { class: 'privacy' });
    e.figuresInput = h('input', { type: 'file', class: 'sr-only', tabindex: '-1', 'aria-hidden': 'true', accept: '.csv,.xlsx,.json,.txt,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', onchange: (ev) => this._pickedFile(ev, 'figures') });
    e.programInput = h('input', { type: 'file', class: 'sr-only', tabindex: '-1', 'aria-hidden': 'true', accept: '.json,application/json', onchange: (ev) => this._pickedFile(ev, 'program') });
    e.drop = h('div', { class: 'drop-overlay', hidden: true }, h('p', null));
    e.app = h(
      'div',
      { class: 'app', lang: this.locale },
      h('header', { class: 'top', part: 'header' },
        h('div', { class: 'top-inner' },
          h('div', { class: 'brand' }, e.eyebrow, e.title, e.meta),
          h('div', { class: 'lang' }, e.langLabel, e.lang),
        ),
      ),
      e.toolbar,
      e.status,
      this._notices.root,
      e.network,
      e.layout,
      h('footer', { class: 'foot', part: 'footer' }, e.privacy),
      e.statement,
      e.sticky,
      e.figuresInput,
      e.programInput,
      e.drop,
    );
    root.replaceChildren(e.app);
    this._wireDrop(e.app);
    // The small total bar shows only while the big total is out of view.
    if (typeof IntersectionObserver === 'function') {
      this._heroObserver = new IntersectionObserver((entries) => {
        for (const en of entries) e.sticky.classList.toggle('show', !en.isIntersecting);
      });
      this._heroObserver.observe(e.summary);
    }
    this._beforePrint = () => this._renderStatement();
    globalThis.addEventListener?.('beforeprint', this._beforePrint);
    this._renderChrome();
  }

  _setStatus(text, error = false) {
    const s = this._el.status;
    s.textContent = text || '';
    s.hidden = !text;
    s.classList.toggle('error', error);
  }

  _renderChrome() {
    const e = this._el;
    const t = (k, a) => this._t(k, a);
    e.app.setAttribute('lang', this.locale);
    e.eyebrow.textContent = t('app.eyebrow');
    e.langLabel.textContent = t('lang.label');
    e.lang.value = this.locale;
    e.toolbar.setAttribute('aria-label', t('toolbar.label'));
    e.privacy.textContent = t('app.privacy');
    e.drop.firstChild.textContent = t('upload.dropHere');
    if (this._program) {
      const info = this._program.info;
      e.title.textContent = pickText(info.name, this.locale) || info.id;
      const fmt = this._ctx().fmt;
      const meta = [];
      if (info.period) meta.push(t('meta.period', { start: fmt.date(info.period.start), end: fmt.date(info.period.end) }));
      meta.push(t('meta.version', { version: info.version }));
      meta.push(t('meta.currency', { currency: info.currency }));
      e.meta.textContent = meta.join(' · ');
    } else {
      e.title.textContent = t('app.eyebrow');
      e.meta.textContent = '';
    }
    this._renderToolbar();
  }

  _renderToolbar() {
    const e = this._el;
    if (!e) return;
    const t = (k, a) => this._t(k, a);
    const has = Boolean(this._program);
    const btn = (key, onClick, opts = {}) =>
      h('button', { type: 'button', class: `btn${opts.primary ? ' primary' : ''}`, disabled: opts.disabled, dataset: { action: key }, onclick: onClick }, t(`toolbar.${key}`));
    const showExample = has && this._example && (!this._exampleFor || this._exampleFor === this._program.info.id);
    replace(
      e.toolbar,
      h('div', { class: 'tool-group' },
        btn('upload', () => e.figuresInput.click(), { primary: true, disabled: !has }),
        showExample ? btn('example', () => this._applyExample()) : null,
        this._net && !this._netOpen ? btn('network', () => this._showNetwork(true)) : null,
      ),
      h('div', { class: 'tool-group', role: 'group', 'aria-label': t('toolbar.templates') },
        btn('templateCsv', () => this._downloadTemplate('csv'), { disabled: !has }),
        btn('templateXlsx', () => this._downloadTemplate('xlsx'), { disabled: !has }),
      ),
      h('div', { class: 'tool-group' },
        btn('export', () => this._exportResult(), { disabled: !this._result }),
        btn('print', () => this._print(), { disabled: !this._result }),
        btn('share', () => this._share(), { disabled: !has }),
      ),
      h('div', { class: 'tool-group' },
        btn('loadProgram', () => e.programInput.click(), { disabled: !this._calc }),
        btn('reset', () => this._reset(), { disabled: !has }),
      ),
    );
  }

  _renderAll() {
    if (!this._program) return;
    this._setStatus('');
    this.__ctx = null;
    this._keys = {};
    this._renderChrome();
    this._renderForm();
    this._renderRules();
    this._update({ initial: true });
    if (this._net) this._net.view.render();
  }

  _relocale() {
    this.__ctx = null;
    this.__t = null;
    this._notices.setTranslator((k, a) => this._t(k, a));
    if (!this._program) {
      this._renderChrome();
      return;
    }
    const focusedMetric = this.shadowRoot.activeElement?.dataset?.metric;
    this._renderAll();
    if (focusedMetric) this._formHandle.fields.get(focusedMetric)?.focus();
  }

  _chooseLocale(l) {
    storage.saveLocale(l);
    this.locale = l;
    if (!this._started) return;
    // attributeChangedCallback re-renders.
  }

  // ---- form -----------------------------------------------------------------------

  _renderForm() {
    const ctx = this._ctx();
    const t = ctx.t;
    const handle = buildForm({
      ...ctx,
      state: this._state,
      readonly: new Set(this.readonlyMetrics),
      dealerFixed: { id: this.hasAttribute('dealer-id'), name: this.hasAttribute('dealer-name') },
      onField: (id, raw) => this._onField(id, raw),
      onDealer: (k, v) => {
        this._state.dealer[k] = v;
        this._changed();
      },
      onAsOf: (v) => {
        this._state.asOf = v;
        this._changed();
      },
    });
    this._formHandle = handle;
    const dropBtn = h('button', { type: 'button', class: 'btn small', onclick: () => this._el.figuresInput.click() }, t('form.chooseFile'));
    replace(
      this._el.form,
      h('div', { class: 'panel-head' },
        h('h2', { id: 'form-title' }, t('form.title')),
        h('p', { class: 'panel-sub' }, t('form.subtitle')),
      ),
      h('div', { class: 'dropzone' }, h('span', { class: 'drop-icon', 'aria-hidden': 'true' }, '⇪'), h('span', null, t('form.dropHint')), dropBtn),
      handle.root,
    );
  }

  _onField(id, raw) {
    this._state.raw[id] = raw;
    this._changed();
  }

  _changed() {
    this._update();
    this._scheduleSave();
    this._emit('figures-changed', this._lastFiguresDoc, { raw: { ...this._state.raw } });
  }

  _scheduleSave() {
    clearTimeout(this._saveTimer);
    this._saveTimer = setTimeout(() => this._save(), 250);
  }

  _flushSave() {
    if (this._saveTimer) {
      clearTimeout(this._saveTimer);
      this._saveTimer = 0;
      this._save();
    }
  }

  _save() {
    this._saveTimer = 0;
    if (this._program && !this.noAutosave) storage.save(this._program.info.id, this._program.info.version, this._state, this._saveDealer || '');
  }

  // ---- evaluate and render -----------------------------------------------------------

  /**
   * Re-evaluates after every change. Two steps, so typing stays fast:
   *  1. at once: the core's evaluation without next-tier drivers (about a millisecond):
   *     totals, projection, every component, the scorecard;
   *  2. when typing pauses: the full evaluation with drivers (tens of milliseconds in
   *     WASM), which fills in the next best actions and what unlocks each locked rule.
   */
  _update(opts = {}) {
    if (!this._program) return;
    const ctx = this._ctx();
    const info = ctx.info;
    const built = buildFigures(info.metrics, this._state, this._symbols());
    const problems = { ...built.localErrors };
    let result = null;
    let otherError = null;
    const tryCall = (fn) => {
      try {
        return fn();
      } catch (err) {
        if (err && err.code === 'invalid_figures') {
          for (const d of err.details || []) {
            const m = /^\/values\/(.+)$/.exec(d.path || '');
            if (m) problems[m[1]] = { reason: d.reason, args: d.args, message: d.message };
            else otherError = err;
          }
        } else otherError = err;
        return null;
      }
    };
    if (Object.keys(built.localErrors).length) tryCall(() => this._program.checkFigures(built.json));
    else result = tryCall(() => this._program.evaluate(built.json, { next: false }));
    if (!this._firstMarked) mark('dealer-evaluated');
    try {
      this._lastFiguresDoc = JSON.parse(built.json);
    } catch {
      this._lastFiguresDoc = null;
    }

    // Field messages
    for (const [id, f] of this._formHandle.fields) {
      const p = problems[id];
      f.setError(p ? reasonText({ ...p, args: { ...(p.args || {}), metric: id } }, ctx) : null);
    }
    if (otherError) {
      this._showEvaluateError(otherError);
      this._emitError(plainError(otherError));
    } else {
      this._notices.clear('evaluate');
    }
    const stale = Object.keys(problems).length;
    if (stale) this._emitError({ code: 'invalid_figures', message: 'invalid figures', details: Object.entries(problems).map(([id, p]) => ({ path: `/values/${id}`, reason: p.reason, args: p.args, message: p.message || '' })) });
    this._stale = stale;
    this._count = built.count;
    if (result) {
      this._result = result;
      this._complete = false;
      this._resultJson = built.json;
      this._resultFigures = this._lastFiguresDoc;
      this._scheduleFull(opts.initial ? 0 : 120);
    }
    this._renderResult();
    if (result) this._emit('dealer-result', result, { figures: this._lastFiguresDoc, complete: false });
    if (opts.initial) this._renderToolbar();
  }

  _showEvaluateError(err) {
    this._notices.show(() => {
      const c = this._ctx();
      return { type: 'error', kind: 'evaluate', text: `${codeText(err.code, c)}${c.t('punct.colon')}${err.message || ''}`, items: (err.details || []).map((d) => detailLine(d, c)) };
    });
  }

  _scheduleFull(delay) {
    clearTimeout(this._fullTimer);
    this.dataset.busy = 'true';
    this._fullTimer = setTimeout(() => this._evaluateFull(), delay);
  }

  _evaluateFull() {
    this._fullTimer = 0;
    const json = this._resultJson;
    if (!this._program || !json || this._complete) {
      delete this.dataset.busy;
      return;
    }
    let result;
    const t0 = performance.now();
    try {
      result = this._program.evaluate(json);
      try {
        performance.measure('dealer-full-evaluation', { start: t0, end: performance.now() });
      } catch {
        /* ignore */
      }
    } catch (err) {
      // The drivers could not be worked out: say so where they would be.
      delete this.dataset.busy;
      this._showEvaluateError(err);
      const ctx = this._ctx();
      replace(
        this._el.actions,
        h('div', { class: 'panel-head' }, h('h2', { id: 'actions-title' }, ctx.t('actions.title'))),
        h('p', { class: 'muted' }, ctx.t('actions.failed')),
      );
      this._el.actions.classList.remove('is-updating');
      this._el.actions.setAttribute('aria-busy', 'false');
      if (this._keys) delete this._keys.actions;
      this._emitError(plainError(err));
      return;
    }
    if (json !== this._resultJson) return; // figures changed meanwhile; another run is scheduled
    this._result = result;
    this._complete = true;
    this._renderResult();
    delete this.dataset.busy;
    this._emit('dealer-result', result, { figures: this._resultFigures, complete: true });
  }

  _valuesFor(result) {
    const info = this._program.info;
    const vals = {};
    for (const m of info.metrics) if (m.default !== undefined && m.default !== null) vals[m.id] = m.default;
    const fig = this._resultFigures?.values || {};
    Object.assign(vals, fig, result?.values || {});
    return vals;
  }

  _renderResult() {
    const ctx = this._ctx();
    const t = ctx.t;
    const e = this._el;
    const result = this._result;
    const stale = this._stale || 0;
    const count = this._count || 0;
    const complete = Boolean(this._complete);
    ctx.complete = complete;
    if (!result) {
      this._keys = {};
      this._cards = new Map();
      replace(e.summary, h('h2', { id: 'summary-title', class: 'sr-only' }, t('summary.title')), h('div', { class: 'hero' }, h('p', { class: 'hero-label' }, t('summary.empty')), stale ? h('p', { class: 'stale', role: 'status' }, t('summary.stale', { count: stale })) : null));
      for (const k of ['actions', 'comps', 'scores', 'awards']) replace(e[k]);
      e.sticky.replaceChildren();
      this._rendered();
      return;
    }
    ctx.values = this._valuesFor(result);
    // Only what changed is rebuilt: typing one figure usually changes a card or two.
    const keys = this._keys || (this._keys = {});
    const changed = (name, data) => {
      const key = `${ctx.locale}|${JSON.stringify(data)}`;
      if (keys[name] === key) return false;
      keys[name] = key;
      return true;
    };
    const currency = result.currency;
    if (changed('summary', [result.totals, result.projection?.totals, result.projection?.factor, result.as_of, result.awards?.length, stale, count === 0, result.warnings?.some((w) => w.code === 'as_of_outside_period')])) {
      replace(e.summary, h('h2', { id: 'summary-title', class: 'sr-only' }, t('summary.title')), renderSummary(result, ctx, { stale }), count === 0 && !stale ? h('p', { class: 'summary-hint' }, t('summary.empty')) : null);
      const cur = result.totals?.[currency];
      const proj = result.projection?.totals?.[currency];
      // The small total that stays in view on a phone while typing.
      replace(
        e.sticky,
        h('span', null, t('sticky.current'), h('strong', null, ctx.fmt.amount(cur ?? 0, currency))),
        proj !== undefined ? h('span', { class: 'sticky-proj' }, t('sticky.projected'), h('strong', null, ctx.fmt.amount(proj, currency))) : null,
      );
    }
    // Next best actions need the drivers of the full evaluation: until it is in, the
    // previous list stays, dimmed.
    if (complete || !e.actions.firstChild || this._actionsLocale !== ctx.locale) {
      if (!complete || changed('actions', result.components.map((c) => [c.next?.drivers, c.unlock]))) {
        replace(
          e.actions,
          h('div', { class: 'panel-head' }, h('h2', { id: 'actions-title' }, t('actions.title')), h('p', { class: 'panel-sub' }, t('actions.subtitle'))),
          complete ? renderActions(result, ctx, { expanded: this._actionsExpanded, onExpand: () => (this._actionsExpanded = true) }) : h('p', { class: 'muted' }, t('actions.updating')),
        );
      }
      this._actionsLocale = ctx.locale;
    }
    if (!complete) delete keys.actions;
    e.actions.classList.toggle('is-updating', !complete);
    e.actions.setAttribute('aria-busy', complete ? 'false' : 'true');

    // Components: one card each, reused while its data is the same.
    if (!e.compList || !e.comps.contains(e.compList) || changed('compsHead', 1)) {
      e.compList = h('div', { class: 'comp-list' });
      e.adjBox = h('div', { class: 'adj-box' });
      this._cards = new Map();
      replace(e.comps, h('div', { class: 'panel-head' }, h('h2', { id: 'comps-title' }, t('components.title')), h('p', { class: 'panel-sub' }, t('components.subtitle'))), e.compList, e.adjBox);
    }
    const cards = this._cards;
    const seen = new Set();
    let at = e.compList.firstChild;
    for (const c of result.components || []) {
      seen.add(c.id);
      const rule = ctx.rules.get(c.id);
      // A locked card names the current values of its condition: those are in its key.
      const key = `${ctx.locale}|${JSON.stringify(c)}|${this._openCharts.has(c.id)}|${c.status === 'locked' && rule?.when ? JSON.stringify(ctx.values) : ''}`;
      let card = cards.get(c.id);
      if (!card || card.key !== key) {
        if (card) {
          if (at === card.node) at = at.nextSibling;
          card.node.remove();
        }
        card = { key, node: renderComponent(c, ctx, this._openCharts) };
        cards.set(c.id, card);
      }
      if (card.node === at) at = at.nextSibling;
      else e.compList.insertBefore(card.node, at);
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.node.remove();
        cards.delete(id);
      }
    }
    if (changed('adjustments', result.adjustments)) {
      const adjustments = renderAdjustments(result, ctx);
      if (adjustments) replace(e.adjBox, h('h3', null, t('caps.title')), adjustments);
      else replace(e.adjBox);
      e.adjBox.hidden = !adjustments;
    }
    if (changed('scores', result.scores)) {
      const scores = renderScores(result, ctx);
      if (scores) replace(e.scores, h('div', { class: 'panel-head' }, h('h2', { id: 'scores-title' }, t('scores.title'))), scores);
      else replace(e.scores);
      e.scores.hidden = !scores;
    }
    if (changed('awards', [result.awards, result.warnings])) {
      const notes = renderWarnings(result, ctx);
      replace(
        e.awards,
        h('div', { class: 'panel-head' }, h('h2', { id: 'awards-title' }, t('awards.title'))),
        renderAwards(result, ctx),
        notes ? h('div', { class: 'notes-box' }, h('h3', null, t('warnings.title')), notes) : null,
      );
    }
    e.app.classList.toggle('is-stale', Boolean(stale));
    this._rendered();
  }

  /** Marks a finished render on the host: data-revision counts renders, data-ready the first. */
  _rendered() {
    this._revision += 1;
    this.dataset.revision = String(this._revision);
    if (!this._firstMarked) {
      this._firstMarked = true;
      this.dataset.ready = 'true';
      mark('dealer-first-result');
    }
  }

  _renderRules() {
    const ctx = this._ctx();
    const t = ctx.t;
    const details = h('details', { class: 'rules-details', open: this._rulesOpen },
      h('summary', null, h('h2', { id: 'rules-title' }, t('rules.title')), h('span', { class: 'panel-sub' }, t('rules.subtitle'))),
    );
    // Built when first opened: the page starts faster.
    const fill = () => {
      if (!details.dataset.filled) {
        details.appendChild(renderRules(this._ctx()));
        details.dataset.filled = '1';
      }
    };
    details.addEventListener('toggle', () => {
      this._rulesOpen = details.open;
      if (details.open) fill();
    });
    if (this._rulesOpen) fill();
    replace(this._el.rules, details);
  }

  _renderStatement() {
    if (!this._result || !this._program) return;
    const ctx = this._ctx();
    ctx.values = this._valuesFor(this._result);
    replace(this._el.statement, renderStatement(this._result, this._state, ctx));
  }

  // ---- toolbar actions ---------------------------------------------------------------

  async _downloadTemplate(kind) {
    const ctx = this._ctx();
    try {
      const f = kind === 'csv' ? templateCsvFile(this._program) : await templateXlsxFile(this._program, ctx);
      downloadBlob(f.blob, f.name, this.shadowRoot);
    } catch (err) {
      this._notices.show(() => ({ type: 'error', kind: 'download', text: this._t('error.generic', { message: String(err?.message || err) }) }));
    }
  }

  _exportResult() {
    if (!this._result) return;
    const ctx = this._ctx();
    ctx.values = this._valuesFor(this._result);
    const f = resultCsvFile(this._result, this._state, ctx);
    downloadBlob(f.blob, f.name, this.shadowRoot);
  }

  _print() {
    this._renderStatement();
    globalThis.print?.();
  }

  shareLink() {
    if (!this._program) return '';
    const base = String(globalThis.location?.href || '').split('#')[0];
    return base + storage.shareHash(this._program.info.id, this._program.info.version, this._state);
  }

  async _share() {
    const t = (k, a) => this._t(k, a);
    const link = this.shareLink();
    let copied = false;
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(link);
        copied = true;
      }
    } catch {
      copied = false;
    }
    let input;
    this._notices.show(() => {
      input = h('input', { type: 'text', class: 'share-link', readonly: true, value: link, 'aria-label': t('share.linkLabel'), onfocus: (ev) => ev.target.select() });
      return { type: copied ? 'success' : 'info', kind: 'share', text: copied ? t('share.copied') : t('share.manual'), body: input };
    });
    if (!copied) input.focus();
  }

  _reset() {
    const t = (k, a) => this._t(k, a);
    const before = structuredClone(this._state);
    this._state = emptyState();
    this._state.asOf = this._defaultAsOf();
    for (const id of this.readonlyMetrics) if (id in before.raw) this._state.raw[id] = before.raw[id];
    if (this.dealerId) this._state.dealer.id = this.dealerId;
    if (this.dealerName) this._state.dealer.name = this.dealerName;
    this._renderForm();
    this._changed();
    this._flushSave();
    this._notices.show(() => ({
      type: 'info',
      kind: 'reset',
      text: t('reset.done'),
      buttons: [{ label: t('reset.undo'), onClick: () => this._restore(before) }],
    }));
  }

  _restore(state) {
    this._state = structuredClone(state);
    this._renderForm();
    this._changed();
    this._flushSave();
    this._notices.show(() => ({ type: 'info', kind: 'upload', text: this._t('upload.undone') }));
  }

  _applyExample() {
    if (!this._example) return;
    this._applyFigures(this._example, { file: 'example', row: null, example: true });
  }

  // ---- uploads ---------------------------------------------------------------------------

  async _pickedFile(ev, mode) {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (file) await this.handleFile(file, mode);
  }

  _wireDrop(target) {
    let depth = 0;
    const overlay = this._el.drop;
    const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
    target.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth += 1;
      overlay.hidden = false;
    });
    target.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    });
    target.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) overlay.hidden = true;
    });
    target.addEventListener('drop', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      depth = 0;
      overlay.hidden = true;
      const file = ev.dataTransfer.files?.[0];
      if (file) this.handleFile(file, 'auto');
    });
  }

  /** Reads a dropped or picked file: a programme (JSON) or figures (CSV, XLSX, JSON). */
  async handleFile(file, mode = 'auto') {
    const t = (k, a) => this._t(k, a);
    const name = file.name || 'file';
    if (mode === 'program' || (!this._program && /\.json$/i.test(name))) {
      const text = new TextDecoder('utf-8').decode(await file.arrayBuffer()).replace(/^\uFEFF/, '');
      return this.loadProgram(text, name);
    }
    if (!this._program) return false;
    this._notices.show(() => ({ type: 'info', kind: 'upload', text: t('upload.reading', { file: name }) }));
    let outcome;
    try {
      outcome = await readFiguresFile(file, this._program);
    } catch (err) {
      outcome = { kind: 'error', file: name, code: err?.code || 'internal_error', message: String(err?.message || err), details: err?.details || [] };
    }
    if (outcome.kind === 'program') return this.loadProgram(outcome.text, name);
    if (outcome.kind === 'error') {
      this._uploadError(outcome);
      return false;
    }
    this._notices.clear('upload');
    if (outcome.kind === 'network') {
      // Too big to parse here: every dealer in the network view, where a click on a row
      // opens it (what the row picker does for a small file).
      this._notices.show(() => ({ type: 'info', kind: 'upload', text: t('network.bigFile', { file: name, size: this._sizeText(outcome.size) }) }));
      this._openNetwork(name, outcome.network);
      return true;
    }
    if (outcome.unknown?.length) {
      this._notices.show(() => ({ type: 'info', kind: 'unknown-columns', text: t('upload.unknownColumns', { file: name, list: outcome.unknown.join(t('list.and')) }) }));
    }
    if (outcome.rows.length === 1) {
      this._applyRow(outcome, outcome.rows[0]);
    } else {
      this._pickRow(outcome);
    }
    return true;
  }

  _uploadError(o) {
    this._notices.show(() => {
      const ctx = this._ctx();
      const t = ctx.t;
      let items = (o.details || []).map((d) => detailLine(d, ctx, { file: o.file, format: o.format }));
      let text = t('upload.failed', { file: o.file });
      if (o.code === 'empty') text = `${t('upload.empty', { file: o.file })} ${text}`;
      else if (o.code === 'no_rows') text = `${t('upload.noRows', { file: o.file })} ${text}`;
      else if (o.code === 'xlsx_broken') text = `${t('upload.xlsxBroken', { file: o.file })} ${text}`;
      else if (o.code === 'parse_error') {
        items = [`${t('loc.file', { file: o.file })}${o.line ? ` · ${t('loc.line', { line: o.line, column: o.column })}` : ''}${t('punct.colon')}${t('code.parse_error')}`];
      } else if (!items.length) {
        items = [`${t('loc.file', { file: o.file })}${t('punct.colon')}${codeText(o.code, ctx)}${o.message ? ` (${o.message})` : ''}`];
      }
      return { type: 'error', kind: 'upload', text, items };
    });
    this._emitError({ code: o.code, message: o.message || '', details: o.details || [], file: o.file });
  }

  _dealerLabel(row) {
    const d = row.figures?.dealer || {};
    return [d.id, d.name].filter(Boolean).join(' ') || this._t('upload.dealerUnnamed');
  }

  _pickRow(outcome) {
    const t = (k, a) => this._t(k, a);
    // Preselect the row of the dealer already named in the form.
    const mine = outcome.rows.findIndex((r) => this._state.dealer.id && r.figures?.dealer?.id === this._state.dealer.id);
    let select = null;
    this._notices.show(() => {
      const chosen = select ? select.value : String(Math.max(0, mine));
      select = h(
        'select',
        { class: 'row-select', 'aria-label': t('upload.pickRowLabel') },
        outcome.rows.map((r, i) =>
          h('option', { value: String(i) },
            r.errors.length
              ? t('upload.rowOptionErrors', { row: r.line ?? i + 1, dealer: this._dealerLabel(r), count: r.errors.length })
              : t('upload.rowOption', { row: r.line ?? i + 1, dealer: this._dealerLabel(r) })),
        ),
      );
      select.value = chosen;
      return {
        type: 'info',
        kind: 'upload',
        text: t('upload.pickRow', { file: outcome.file, count: outcome.rows.length }),
        body: h('p', { class: 'row-pick' }, select),
        buttons: [
          { label: t('upload.useRow'), primary: true, onClick: () => this._applyRow(outcome, outcome.rows[Number(select.value)]) },
          outcome.network ? { label: t('network.viewAll', { count: outcome.rows.length }), action: 'network', onClick: () => this._openNetwork(outcome.file, outcome.network) } : null,
          { label: t('upload.cancel') },
        ].filter(Boolean),
      };
    });
    select.focus();
  }

  _applyRow(outcome, row) {
    if (row.errors.length) {
      this._notices.show(() => {
        const ctx = this._ctx();
        return {
          type: 'error',
          kind: 'upload',
          text: ctx.t('upload.rowErrors', { file: outcome.file, row: row.line ?? 1 }),
          items: row.errors.map((d) => detailLine(d, ctx, { file: outcome.file, format: outcome.format, row: row.line, noPath: outcome.format !== 'json' })),
        };
      });
      this._emitError({ code: 'invalid_figures', message: 'the row has errors', details: row.errors, file: outcome.file });
      return false;
    }
    this._applyFigures(row.figures, { file: outcome.file, row: outcome.rows.length > 1 ? row.line : null, dealer: this._dealerLabel(row) });
    return true;
  }

  _applyFigures(figures, source) {
    const t = (k, a) => this._t(k, a);
    const before = structuredClone(this._state);
    const info = this._program.info;
    if (source.replace) {
      // A dealer from the network view: exactly that row's figures (as the table computed
      // them); the portal's read-only figures stay.
      const fixed = new Set(this.readonlyMetrics);
      for (const id of Object.keys(this._state.raw)) if (!fixed.has(id)) delete this._state.raw[id];
      if (!this.dealerId) this._state.dealer.id = '';
      if (!this.dealerName) this._state.dealer.name = '';
      this._state.asOf = '';
    }
    const count = this._mergeFigures(figures, false);
    this._renderForm();
    this._changed();
    this._flushSave();
    const kept = info.metrics.length - count;
    this._notices.show(() => ({
      type: 'success',
      kind: 'upload',
      text: [
        source.example
          ? t('upload.exampleApplied', { count })
          : source.row
          ? t('upload.appliedRow', { file: source.file, row: source.row, dealer: source.dealer, count })
          : t('upload.applied', { file: source.file, count }),
        kept > 0 && !source.example ? t('upload.keptOthers', { count: kept }) : '',
      ].filter(Boolean).join(' '),
      buttons: [{ label: t('upload.undo'), onClick: () => this._restore(before) }, ...(source.buttons || [])],
    }));
  }

  // ---- the network view ------------------------------------------------------------------

  _sizeText(bytes) {
    return bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${Number((bytes / 1048576).toFixed(1))} MB`;
  }

  /** Computes every row of a file in the network view (a worker, else slices on this thread). */
  _openNetwork(file, src) {
    if (!this._program || !src) return;
    this._closeNetwork(true);
    const view = new NetworkView({
      root: this._el.network,
      ctx: () => this._ctx(),
      file,
      format: src.format,
      size: src.size,
      onOpen: (k) => this._openNetworkRow(k),
      onClose: () => this._showNetwork(false),
      onCancel: () => this._cancelNetwork(),
      onExport: () => this._exportNetwork(),
    });
    const net = { view, file, src, run: null };
    this._net = net;
    this.dataset.network = 'running';
    const started = performance.now();
    const run = startNetwork({
      programText: this._programText,
      file: src.blob,
      input: src.input,
      locale: this.locale,
      onProgress: (p) => view.setProgress(p),
      onFallback: () => view.setMode('page'),
    });
    net.run = run;
    view.start(run);
    this._showNetwork(true);
    this._el.network.querySelector('h2')?.focus({ preventScroll: true });
    run.done.then(
      async (summary) => {
        if (this._net !== net) return;
        await view.finish(summary);
        if (this._net !== net) return;
        try {
          performance.measure('dealer-network', { start: started, end: performance.now(), detail: { rows: summary.rows, mode: run.mode } });
        } catch {
          /* ignore */
        }
        this.dataset.network = 'done';
        this._emit('dealer-network', { dealers: summary.dealers, errors: summary.errors, totals: summary.totals, mode: run.mode, file });
      },
      (err) => {
        if (this._net !== net || err === CANCELLED) return;
        this._closeNetwork(true);
        this.dataset.network = 'error';
        this._uploadError({ file, format: src.format === 'jsonl' ? 'json' : src.format, code: err?.code === 'unreadable' ? 'internal_error' : err?.code || 'internal_error', message: err?.message || '', details: err?.details || [] });
      },
    );
  }

  /** Shows the network view instead of the calculator (or back). */
  _showNetwork(open) {
    const e = this._el;
    this._netOpen = Boolean(open && this._net);
    e.network.hidden = !this._netOpen;
    e.layout.hidden = this._netOpen;
    e.app.classList.toggle('is-network', this._netOpen);
    this._renderToolbar();
    if (this._netOpen) this._net.view._layout?.(false);
  }

  _closeNetwork(dispose) {
    const net = this._net;
    if (!net) return;
    this._net = null;
    if (dispose) {
      net.run?.dispose();
      net.view.dispose();
    }
    replace(this._el.network);
    this._showNetwork(false);
  }

  _cancelNetwork() {
    const net = this._net;
    if (!net) return;
    net.run.cancel();
    this._closeNetwork(true);
    this.dataset.network = 'cancelled';
    this._notices.show(() => ({ type: 'info', kind: 'upload', text: this._t('network.cancelled', { file: net.file }) }));
    this._el.toolbar.querySelector('button[data-action=upload]')?.focus();
  }

  async _exportNetwork() {
    const net = this._net;
    if (!net) return;
    try {
      const blob = await net.run.exportBlob();
      const info = this._program.info;
      downloadBlob(blob, `${safeName(info.id)}-${safeName(info.version)}-network.csv`, this.shadowRoot);
    } catch (err) {
      this._notices.show(() => ({ type: 'error', kind: 'download', text: this._t('error.generic', { message: String(err?.message || err) }) }));
    }
  }

  /** Opens the k-th dealer of the table in the calculator: that row's own text, parsed by the core. */
  async _openNetworkRow(k) {
    const net = this._net;
    if (!net || !this._program) return;
    let r;
    let figures = null;
    let errors = [];
    try {
      r = await net.run.rowText(k);
      if (r.input === 'jsonl') {
        figures = JSON.parse(r.text);
      } else {
        let parsed;
        try {
          parsed = this._program.parseCsv(r.header + r.text);
        } catch {
          parsed = this._program.parseCsv(r.header + r.single);
        }
        const row = parsed.rows[0];
        if (row && !row.errors.length) figures = row.figures;
        else errors = row?.errors || [];
      }
    } catch (err) {
      errors = err?.details?.length ? err.details : [{ path: '', reason: err?.code, message: String(err?.message || err) }];
    }
    if (!figures) {
      this._notices.show(() => {
        const ctx = this._ctx();
        return { type: 'error', kind: 'upload', text: ctx.t('upload.rowErrors', { file: net.file, row: r?.line ?? '' }), items: errors.map((d) => detailLine(d, ctx, { file: net.file, row: r?.line })) };
      });
      return;
    }
    const d = figures.dealer || {};
    const dealer = [d.id, d.name].filter(Boolean).join(' ') || this._t('upload.dealerUnnamed');
    this._showNetwork(false);
    this._applyFigures(figures, {
      file: net.file,
      row: r.line,
      dealer,
      replace: true,
      buttons: [{ label: this._t('network.backTo'), action: 'network', onClick: () => this._showNetwork(true) }],
    });
    this._notices.root.scrollIntoView?.({ block: 'nearest' });
  }

  _showProgramErrors(err, name) {
    this._notices.show(() => {
      const ctx = this._program ? this._ctx() : { t: translator(this.locale), fmt: null };
      const t = ctx.t;
      const details = err?.details || [];
      let items = details.map((d) => {
        const where = d.path !== undefined ? t('loc.path', { path: d.path || '/' }) : '';
        return `${where}${where ? t('punct.colon') : ''}${reasonText(d, ctx)}`;
      });
      if (err?.code === 'parse_error') items = [`${err.line ? t('loc.line', { line: err.line, column: err.column }) + t('punct.colon') : ''}${t('code.parse_error')}`];
      if (!items.length) items = [`${codeText(err?.code || 'internal_error', ctx)}${err?.message ? ` (${err.message})` : ''}`];
      return {
        type: 'error',
        kind: 'program',
        text: `${t('program.failed', { file: name })} ${details.length > 1 ? t('program.problems', { count: details.length }) : ''}`.trim(),
        items,
      };
    });
  }

  /** Bubbling, composed CustomEvent; `extra` become properties of the event itself. */
  _emit(type, detail, extra) {
    const ev = new CustomEvent(type, { detail, bubbles: true, composed: true });
    if (extra) Object.assign(ev, extra);
    this.dispatchEvent(ev);
  }

  /** dealer-error: detail {code, message, details, …}; detail.error is the same object (older listeners). */
  _emitError(error) {
    this._emit('dealer-error', { ...error, error });
  }
}

/** A performance mark for the benchmark (bench/page-bench.mjs). */
function mark(name) {
  try {
    performance.mark(name);
  } catch {
    /* ignore */
  }
}

function plainError(err) {
  return { code: err?.code || 'internal_error', message: String(err?.message || err), details: err?.details || [], line: err?.line, column: err?.column };
}

/** Registers the element (github small-custom-elements style). */
export function define(tag = 'dealer-calculator', registry = globalThis.customElements) {
  if (!registry) return DealerCalculatorElement;
  const existing = registry.get(tag);
  if (existing) return existing;
  const cls = tag === 'dealer-calculator' ? DealerCalculatorElement : class extends DealerCalculatorElement {};
  registry.define(tag, cls);
  return cls;
}

export default DealerCalculatorElement;
