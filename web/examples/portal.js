// A mock brand portal embedding the dealer calculator two ways (docs/embedding.md).
//   examples/portal.html                      the iframe comes from this origin
//   examples/portal.html?calc=http://host:port/   … from another origin (that host's dist/web/)
import { define } from '../dealer-calculator.element.mjs';

// What the portal knows from its DMS (read-only for the dealer).
const DMS = {
  format: 'dealer-incentive-figures/1',
  dealer: { id: 'D-0042', name: '杭州西湖数码专营店' },
  values: { sales_amount: 648236.8, sales_amount_last_year: 589650.4, purchase_amount: 552800, data_weeks_on_time: 10, dms_accuracy: 98.6 },
};

const money = (result) => {
  const cur = result?.currency;
  const v = cur ? result.totals?.[cur] : undefined;
  return v === undefined ? '–' : `${cur} ${Number(v).toFixed(2)}`;
};

// ---- 1 · custom element (the portal picks the tag) ----------------------------------
define('acme-dealer-calculator');
const el = document.getElementById('calc-element');
el.figures = DMS; // waits for the programme when it is not loaded yet
el.addEventListener('dealer-result', (ev) => {
  document.getElementById('element-total').value = money(ev.detail);
});

// ---- 2 · iframe + postMessage ---------------------------------------------------------
const params = new URLSearchParams(location.search);
let calcBase = new URL('../', location.href);
const asked = params.get('calc');
if (asked) {
  const u = new URL(asked, location.href);
  if (u.protocol === 'http:' || u.protocol === 'https:') calcBase = u;
}
const calcOrigin = calcBase.origin;
document.getElementById('calc-origin').textContent = calcOrigin;
const frame = document.getElementById('calc-frame');
const VERSION = 1;
const send = (message) => frame.contentWindow.postMessage({ ...message, version: VERSION }, calcOrigin);

window.addEventListener('message', async (ev) => {
  // Only the calculator's frame, from its origin, and the version this portal speaks.
  if (ev.source !== frame.contentWindow || ev.origin !== calcOrigin) return;
  const m = ev.data;
  if (!m || m.version !== VERSION) return;
  if (m.type === 'dealer-calc:ready') {
    const program = await (await fetch('../programs/sample/program.json')).json();
    send({ type: 'dealer-calc:load-program', program });
    send({ type: 'dealer-calc:set-figures', figures: DMS });
  } else if (m.type === 'dealer-calc:resize') {
    frame.style.height = `${Math.max(200, Number(m.height) || 0)}px`; // CSSOM: allowed by the CSP
  } else if (m.type === 'dealer-calc:result') {
    document.getElementById('frame-total').value = money(m.result);
    document.getElementById('frame-error').textContent = '';
  } else if (m.type === 'dealer-calc:error') {
    document.getElementById('frame-error').textContent = `${m.error?.code || 'error'}`;
  }
});
frame.src = new URL(`embed.html?origins=${encodeURIComponent(location.origin)}&lang=en`, calcBase).href;
