// Files the page hands to the dealer: CSV and Excel templates generated from the
// programme, and the result as CSV (cells that a spreadsheet would run as a formula are
// neutralised).

import { pickText } from './i18n.js';
import { explainComponent } from './explain.js';

export function downloadBlob(blob, filename, root = document.body) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  root.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** One CSV cell. Text starting with = + - @ (or a tab / CR) gets a leading ' so no spreadsheet runs it. */
export function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows) {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function safeName(s) {
  return String(s || 'program').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}

export function templateCsvFile(program) {
  const info = program.info;
  return { blob: new Blob([`\uFEFF${program.csvTemplate()}`], { type: 'text/csv;charset=utf-8' }), name: `${safeName(info.id)}-${safeName(info.version)}-template.csv` };
}

export async function templateXlsxFile(program, ctx) {
  const { t, fmt, locale } = ctx;
  const info = program.info;
  const header = program.csvTemplate().replace(/^\uFEFF/, '').split(/\r?\n/)[0].split(',');
  const bold = (value) => ({ value, fontWeight: 'bold' });
  const guide = [[bold(t('template.column')), bold(t('template.label')), bold(t('template.type')), bold(t('template.range')), bold(t('template.help'))]];
  for (const m of info.metrics) {
    const range = [m.min, m.max].every((x) => x === undefined) ? '' : `${m.min ?? ''} – ${m.max ?? ''}`;
    guide.push([{ value: m.id }, { value: pickText(m.label, locale) }, { value: t(`type.${m.type}`) }, { value: range }, { value: pickText(m.help, locale) }]);
  }
  // Loaded on demand: the static site keeps the spreadsheet code out of the first download.
  const { writeXlsx } = await import('./xlsx.js');
  const blob = await writeXlsx([
    { sheet: 'figures', data: [header.map(bold)], columns: header.map(() => ({ width: 18 })) },
    { sheet: t('template.guide').slice(0, 31), data: guide, columns: [{ width: 24 }, { width: 28 }, { width: 12 }, { width: 18 }, { width: 80 }] },
  ]);
  void fmt;
  return { blob, name: `${safeName(info.id)}-${safeName(info.version)}-template.xlsx` };
}

/** The result as CSV rows. */
export function resultRows(result, state, ctx) {
  const { t, fmt, locale, info } = ctx;
  const rows = [];
  rows.push([t('export.program'), pickText(info.name, locale), info.id, info.version, '', '']);
  if (state.dealer?.id || state.dealer?.name) rows.push([t('export.dealer'), state.dealer.id || '', state.dealer.name || '', '', '', '']);
  if (result.as_of) rows.push([t('export.asOf'), result.as_of, '', '', '', '']);
  rows.push([]);
  rows.push([t('export.section'), t('export.item'), t('export.status'), t('export.amount'), t('export.unit'), t('export.detail')]);
  for (const c of result.components || []) {
    const rule = ctx.rules.get(c.id) || {};
    const status = t(c.status === 'earned' ? 'status.earned' : c.status === 'locked' ? 'status.locked' : 'status.none');
    const detail = explainComponent(c, rule, ctx).join('; ');
    if (c.kind === 'award') rows.push([t('export.award'), pickText(c.label || rule.label, locale) || c.id, status, '', '', c.status === 'earned' ? pickText(c.award?.label, locale) : detail]);
    else rows.push([t('export.component'), pickText(c.label || rule.label, locale) || c.id, status, c.amount ?? 0, fmt.unitLabel(c.unit), detail]);
  }
  for (const a of result.adjustments || []) {
    rows.push([t('export.adjustment'), pickText(a.label || ctx.caps.get(a.cap)?.label, locale) || a.cap, '', a.amount, fmt.unitLabel(a.unit), t('caps.line', { covered: fmt.amount(a.covered, a.unit), max: fmt.amount(a.max, a.unit), amount: fmt.amount(a.amount, a.unit, { sign: true }) })]);
  }
  for (const [u, v] of Object.entries(result.totals || {})) rows.push([t('export.total'), '', '', v, fmt.unitLabel(u), '']);
  if (result.projection) {
    for (const [u, v] of Object.entries(result.projection.totals || {})) rows.push([t('export.projected'), result.projection.end || '', '', v, fmt.unitLabel(u), '']);
  }
  for (const [id, sc] of Object.entries(result.scores || {})) rows.push([t('export.score'), pickText(ctx.scores.get(id)?.label, locale) || id, '', sc.total, '', `/ ${sc.max ?? ''}`]);
  return rows;
}

export function resultCsvFile(result, state, ctx) {
  const info = ctx.info;
  const who = safeName(state.dealer?.id || 'dealer');
  return { blob: new Blob([toCsv(resultRows(result, state, ctx))], { type: 'text/csv;charset=utf-8' }), name: `${safeName(info.id)}-${who}-result.csv` };
}
