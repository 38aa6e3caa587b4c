// The page around <dealer-calculator>: registers the element, passes ?program=URL on
// when served over http(s), and keeps the document's language and title in step.
//
// In the offline single file this same script also runs as the network view's Web Worker
// (from a blob: URL of the file's own inline script): there it serves the worker and
// touches no DOM.
import { define } from './element.js';
import { getCalc } from './calc.js';
import { translator, pickText } from './i18n.js';
import { inWorker, serveWorker } from './network-worker.js';

if (inWorker()) serveWorker(self);
else startPage();

function startPage() {
  try {
    performance.mark('dealer-script');
  } catch {
    /* ignore */
  }
  // Start loading the engine before the element builds its shell: inflating and compiling
  // the WASM run off the main thread meanwhile (the element awaits the same promise).
  getCalc().catch(() => {
    /* the element reports a failed load */
  });
  define();

  const el = document.querySelector('dealer-calculator');
  if (el) {
    const params = new URLSearchParams(location.search);
    const src = params.get('program');
    if (src && /^https?:$/.test(location.protocol)) {
      // A brand's own programme file, fetched by the page on the dealer's request.
      el.querySelector('script[data-role="program"]')?.remove();
      el.querySelector('script[data-role="example-figures"]')?.remove();
      el.setAttribute('program-src', src);
    }
    const lang = params.get('lang');
    if (lang) el.setAttribute('locale', lang);

    const sync = () => {
      const locale = el.locale;
      document.documentElement.lang = locale;
      const t = translator(locale);
      const info = el.program;
      document.title = info ? `${pickText(info.name, locale)} · ${t('app.eyebrow')}` : t('app.eyebrow');
    };
    el.addEventListener('dealer-result', sync);
    new MutationObserver(sync).observe(el, { attributes: true, attributeFilter: ['locale'] });
    sync();
  }
}
