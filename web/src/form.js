// The figures form, generated from the programme's metrics and grouped by category.
// Inputs are text inputs with a numeric keyboard hint (inputmode), so whatever the
// dealer types stays in the box exactly as typed, valid or not; messages appear next
// to the field and never clear it.

import { h, uid } from './dom.js';
import { pickText } from './i18n.js';

export const CATEGORY_ORDER = ['content', 'community', 'promotion', 'tools', 'training', 'sales', 'data', 'other'];

function affixes(m, fmt) {
  if (m.type === 'amount') return { prefix: fmt.symbol };
  if (m.type === 'percent') return { suffix: '%' };
  return {};
}

/**
 * Builds the form. ctx: {info, t, fmt, locale, state, onField(id, raw), onDealer(key, value), onAsOf(value)}
 * Returns {root, fields: Map<id, FieldHandle>, focusField(id)}.
 */
export function buildForm(ctx) {
  const { info, t, fmt, locale, state } = ctx;
  const fields = new Map();
  // Figures the portal supplies (readonly-metrics, dealer-id, dealer-name): shown, not editable.
  const fixed = ctx.readonly || new Set();
  const dealerFixed = ctx.dealerFixed || {};
  const supplied = () => h('span', { class: 'supplied' }, t('form.supplied'));

  // Dealer and date
  const dealerId = uid('dealer-id');
  const dealerName = uid('dealer-name');
  const asOfId = uid('as-of');
  const asOfHelp = uid('as-of-help');
  const dealerBox = h(
    'fieldset',
    { class: 'group dealer' },
    h('legend', null, t('form.dealer')),
    h(
      'div',
      { class: 'grid' },
      h(
        'div',
        { class: `field${dealerFixed.id ? ' readonly' : ''}` },
        h('label', { for: dealerId, class: 'field-label' }, t('form.dealerId'), dealerFixed.id ? supplied() : null),
        h('div', { class: 'control' },
          h('input', { id: dealerId, name: 'dealer_id', type: 'text', autocomplete: 'off', spellcheck: 'false', readonly: dealerFixed.id || null, value: state.dealer.id || '', oninput: (e) => ctx.onDealer('id', e.target.value) }),
        ),
      ),
      h(
        'div',
        { class: `field${dealerFixed.name ? ' readonly' : ''}` },
        h('label', { for: dealerName, class: 'field-label' }, t('form.dealerName'), dealerFixed.name ? supplied() : null),
        h('div', { class: 'control' },
          h('input', { id: dealerName, name: 'dealer_name', type: 'text', autocomplete: 'organization', readonly: dealerFixed.name || null, value: state.dealer.name || '', oninput: (e) => ctx.onDealer('name', e.target.value) }),
        ),
      ),
      h(
        'div',
        { class: 'field wide' },
        h('label', { for: asOfId, class: 'field-label' }, t('form.asOf')),
        h('div', { class: 'control' },
          h('input', {
            id: asOfId,
            name: 'as_of',
            type: 'date',
            value: state.asOf || '',
            min: info.period?.start,
            max: info.period?.end,
            'aria-describedby': asOfHelp,
            oninput: (e) => ctx.onAsOf(e.target.value),
          }),
        ),
        h('p', { class: 'help', id: asOfHelp }, t('form.asOfHelp')),
      ),
    ),
  );

  // Metrics by category, in the spec's category order.
  const byCat = new Map();
  for (const m of info.metrics) {
    const cat = CATEGORY_ORDER.includes(m.category) ? m.category : 'other';
    if (!byCat.has(cat)) byCat.set(cat, []);
    byCat.get(cat).push(m);
  }
  const groups = [];
  for (const cat of CATEGORY_ORDER) {
    const list = byCat.get(cat);
    if (!list) continue;
    const grid = h('div', { class: 'grid' });
    for (const m of list) {
      const handle = m.type === 'boolean' ? booleanField(m, ctx) : numberField(m, ctx);
      fields.set(m.id, handle);
      grid.appendChild(handle.root);
    }
    groups.push(
      h('fieldset', { class: 'group', dataset: { category: cat } },
        h('legend', null, h('span', { class: `cat-dot cat-${cat}`, 'aria-hidden': 'true' }), t(`category.${cat}`)),
        grid,
      ),
    );
  }

  const root = h('div', { class: 'form-body' }, dealerBox, groups);
  return {
    root,
    fields,
    dealerInputs: { id: root.querySelector(`#${dealerId}`), name: root.querySelector(`#${dealerName}`) },
    asOfInput: root.querySelector(`#${asOfId}`),
  };

  function numberField(m, c) {
    const id = uid(`f-${m.id}`);
    const helpId = uid('help');
    const errId = uid('err');
    const unitId = uid('unit');
    const { prefix, suffix } = affixes(m, fmt);
    const help = pickText(m.help, locale);
    const placeholder = m.default !== undefined && m.default !== null && typeof m.default !== 'boolean'
      ? t('form.defaultPlaceholder', { value: fmt.number(m.default) })
      : null;
    const describedBy = [prefix || suffix ? unitId : null, help ? helpId : null, errId].filter(Boolean).join(' ');
    const ro = fixed.has(m.id);
    const input = h('input', {
      id,
      name: m.id,
      type: 'text',
      inputmode: m.type === 'count' ? 'numeric' : 'decimal',
      autocomplete: 'off',
      spellcheck: 'false',
      enterkeyhint: 'next',
      placeholder,
      'aria-describedby': describedBy,
      value: state.raw[m.id] ?? '',
      readonly: ro || null,
      'aria-readonly': ro ? 'true' : null,
      dataset: { metric: m.id, type: m.type },
      oninput: (e) => c.onField(m.id, e.target.value),
    });
    const error = h('p', { class: 'field-error', id: errId, hidden: true });
    const root = h(
      'div',
      { class: `field${ro ? ' readonly' : ''}`, dataset: { metric: m.id, readonly: ro ? 'true' : null } },
      h('label', { for: id, class: 'field-label' }, pickText(m.label, locale) || m.id, ro ? supplied() : null),
      h(
        'div',
        { class: `control${prefix ? ' has-prefix' : ''}${suffix ? ' has-suffix' : ''}` },
        prefix ? h('span', { class: 'affix prefix', id: unitId }, prefix) : null,
        input,
        suffix ? h('span', { class: 'affix suffix', id: unitId }, suffix) : null,
      ),
      help ? h('p', { class: 'help', id: helpId }, help) : null,
      error,
    );
    return {
      root,
      input,
      metric: m,
      setValue(raw) {
        if (input.value !== raw) input.value = raw ?? '';
      },
      setError(msg) {
        if (msg) {
          if (error.textContent !== msg) error.textContent = msg;
          error.hidden = false;
          input.setAttribute('aria-invalid', 'true');
          root.classList.add('invalid');
        } else if (!error.hidden) {
          error.hidden = true;
          error.textContent = '';
          input.removeAttribute('aria-invalid');
          root.classList.remove('invalid');
        }
      },
      focus() {
        input.focus();
      },
    };
  }

  function booleanField(m, c) {
    const helpId = uid('help');
    const errId = uid('err');
    const help = pickText(m.help, locale);
    const name = uid(`b-${m.id}`);
    const ro = fixed.has(m.id);
    const mk = (val, text) =>
      h(
        'label',
        { class: 'seg-option' },
        h('input', {
          type: 'radio',
          name,
          value: val,
          checked: state.raw[m.id] === val,
          disabled: ro,
          dataset: { metric: m.id },
          onchange: (e) => {
            if (e.target.checked) c.onField(m.id, val);
          },
        }),
        h('span', null, text),
      );
    const yes = mk('true', t('form.yes'));
    const no = mk('false', t('form.no'));
    const error = h('p', { class: 'field-error', id: errId, hidden: true });
    const root = h(
      'fieldset',
      { class: `field bool${ro ? ' readonly' : ''}`, dataset: { metric: m.id, readonly: ro ? 'true' : null }, 'aria-describedby': [help ? helpId : null, errId].filter(Boolean).join(' ') },
      h('legend', { class: 'field-label' }, pickText(m.label, locale) || m.id, ro ? supplied() : null),
      h('div', { class: 'seg' }, yes, no),
      help ? h('p', { class: 'help', id: helpId }, help) : null,
      error,
    );
    const radios = [yes.querySelector('input'), no.querySelector('input')];
    return {
      root,
      input: radios[0],
      metric: m,
      setValue(raw) {
        radios[0].checked = raw === 'true';
        radios[1].checked = raw === 'false';
      },
      setError(msg) {
        error.textContent = msg || '';
        error.hidden = !msg;
        root.classList.toggle('invalid', Boolean(msg));
      },
      focus() {
        (radios.find((r) => r.checked) || radios[0]).focus();
      },
    };
  }
}
