// The message area above the results: upload outcomes, errors with their locations,
// the row picker, undo buttons. Text only (textContent); a polite live region.

import { h } from './dom.js';

export class Notices {
  constructor(t) {
    this.t = t;
    this.root = h('div', { class: 'notices', 'aria-live': 'polite' });
    this.builders = new WeakMap();
  }

  /** New language: every notice given as a function is built again in it. */
  setTranslator(t) {
    this.t = t;
    for (const el of [...this.root.children]) {
      const build = this.builders.get(el);
      if (!build) continue;
      const next = this._build(build(), build);
      el.replaceWith(next);
    }
  }

  clear(kind) {
    for (const n of [...this.root.children]) if (!kind || n.dataset.kind === kind) n.remove();
  }

  /**
   * show({type: 'info'|'success'|'error', kind, text, items: [string], buttons: [{label, onClick, primary}], body: Node})
   * A notice of the same kind replaces the previous one. Give a function returning that
   * object to have the notice rebuilt when the language changes.
   */
  show(spec) {
    const build = typeof spec === 'function' ? spec : null;
    const n = build ? build() : spec;
    if (n.kind) this.clear(n.kind);
    const el = this._build(n, build);
    this.root.prepend(el);
    while (this.root.children.length > 4) this.root.lastElementChild.remove();
    return el;
  }

  _build(n, build) {
    const close = h('button', { type: 'button', class: 'notice-close', 'aria-label': this.t('upload.cancel') }, '×');
    const el = h(
      'div',
      { class: `notice notice-${n.type || 'info'}`, role: n.type === 'error' ? 'alert' : 'status', dataset: { kind: n.kind || 'misc' } },
      h(
        'div',
        { class: 'notice-body' },
        h('p', { class: 'notice-text' }, n.text),
        n.items?.length ? h('ul', { class: 'notice-items' }, n.items.map((i) => h('li', null, i))) : null,
        n.body || null,
        n.buttons?.length
          ? h(
              'p',
              { class: 'notice-buttons' },
              n.buttons.map((b) =>
                h('button', { type: 'button', class: b.primary ? 'btn primary' : 'btn', dataset: { action: b.action }, onclick: () => { if (b.keep !== true) el.remove(); b.onClick?.(); } }, b.label),
              ),
            )
          : null,
      ),
      close,
    );
    close.addEventListener('click', () => el.remove());
    if (build) this.builders.set(el, build);
    return el;
  }
}
