#!/usr/bin/env node
// Builds the dealer's page from web/ into two outputs from one source:
//   dist/web/                     static site: index.html + hashed, cacheable JS/CSS,
//                                 dealer-calc.mjs and the sample programme
//   dist/dealer-calculator.html   one self-contained file (script, styles, WASM and the
//                                 sample programme inlined) that works from file://
// The network view computes in a Web Worker: on the site a module worker
// (assets/network-worker-<hash>.js, sharing dealer-calc-<hash>.mjs); in the offline file
// and the classic element script, the script itself started again as a classic worker
// (a blob: URL of the inline script, or the script's own URL): nothing is inlined twice.
// and, for brand portals (docs/embedding.md):
//   dist/web/dealer-calculator.element.mjs   ES module: define(tag), DealerCalculatorElement
//   dist/web/dealer-calculator.element.js    classic script (WASM inlined): window.DealerCalculator
//   dist/web/embed.html                      the calculator for an iframe (postMessage protocol)
//   dist/web/examples/portal.*               a mock brand portal embedding it both ways
// Needs dist/dealer-calc.mjs (cmake --preset wasm && cmake --build --preset wasm).
//
//   node scripts/build-web.mjs [--quiet]

import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, copyFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (...a) => quiet || console.log(...a);

const DIST = join(root, 'dist');
const WEB = join(DIST, 'web');
const OFFLINE = join(DIST, 'dealer-calculator.html');
const CALC = join(DIST, 'dealer-calc.mjs');
const SAMPLE = join(root, 'programs', 'sample');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);
const cspHash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

try {
  await stat(CALC);
} catch {
  console.error(`build-web: ${CALC} is missing. Build the WASM module first:\n  cmake --preset wasm && cmake --build --preset wasm`);
  process.exit(1);
}

// "fflate" inside read-excel-file / write-excel-file → the synchronous stand-in (no Workers).
const fflateSync = {
  name: 'fflate-sync',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, (args) =>
      /(read|write)-excel-file/.test(args.importer) ? { path: join(root, 'web/src/vendor/fflate-sync.js') } : undefined,
    );
  },
};

// Emscripten 3.1.6's glue reads a SINGLE_FILE module's WASM with fetch("data:…") when
// fetch exists, which a page with connect-src 'none' refuses (a console error) before it
// falls back to decoding the base64 itself. A module-scoped `fetch` that is undefined
// makes it decode directly: no fetch, no request, nothing for the CSP to refuse.
const NO_FETCH = '/* build-web: the WASM is inlined; decode it without fetch() */\nvar fetch = undefined;\n';
const calcSource = async (file) => NO_FETCH + (await readFile(file, 'utf8'));
// The offline page bundles the variant whose WASM the browser inflates natively
// (wasm/inflate.js): ~20 KB more, 40-100 ms sooner to the first result on a cold start.
const CALC_INFLATE = join(DIST, 'dealer-calc.inflate.mjs');

// "dealer-calc" → the WASM module: external file (site) or bundled (offline file, with
// `file` the variant to bundle).
const calcModule = (mode, externalName, file = CALC) => ({
  name: 'dealer-calc',
  setup(b) {
    b.onResolve({ filter: /^dealer-calc$/ }, () => (mode === 'external' ? { path: `./${externalName}`, external: true } : { path: file, namespace: 'dealer-calc' }));
    b.onLoad({ filter: /.*/, namespace: 'dealer-calc' }, async () => ({ contents: await calcSource(file), loader: 'js', resolveDir: DIST }));
  },
});

// Styles are imported as text (adopted by the shadow root): minify them on the way in.
const cssText = {
  name: 'css-text',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => ({
      contents: (await transform(await readFile(args.path, 'utf8'), { loader: 'css', minify: true })).code,
      loader: 'text',
    }));
  },
};

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1748b8"/><text x="32" y="46" font-size="40" font-family="Arial" font-weight="700" text-anchor="middle" fill="white">¥</text></svg>\n`;
const ICON_DATA = `data:image/svg+xml,${encodeURIComponent(ICON_SVG.trim()).replace(/'/g, '%27')}`;

const common = {
  entryPoints: [join(root, 'web/src/main.js')],
  bundle: true,
  minify: true,
  legalComments: 'none',
  target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.css': 'text' },
  logLevel: 'warning',
  write: false,
  charset: 'utf8',
};

const safeJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const inlineScriptSafe = (js) => {
  const out = js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  if (/<\/script/i.test(out)) throw new Error('inline script still contains </script');
  return out;
};

async function main() {
  const template = await readFile(join(root, 'web/index.html'), 'utf8');
  const program = JSON.parse(await readFile(join(SAMPLE, 'program.json'), 'utf8'));
  const example = JSON.parse(await readFile(join(SAMPLE, 'figures.json'), 'utf8'));
  delete program.$schema;
  delete example.$schema;
  const pageCss = (await transform(await readFile(join(root, 'web/src/page.css'), 'utf8'), { loader: 'css', minify: true })).code;
  const calcBytes = Buffer.from(await calcSource(CALC));

  // ---- dist/web ------------------------------------------------------------------
  await rm(WEB, { recursive: true, force: true });
  await mkdir(join(WEB, 'assets'), { recursive: true });
  await mkdir(join(WEB, 'programs', 'sample'), { recursive: true });
  const calcName = `dealer-calc-${hash(calcBytes)}.mjs`;
  await writeFile(join(WEB, 'assets', calcName), calcBytes);
  // The network view's module worker: its own bundle (no chunks shared with the page but
  // the WASM module); the page learns its hashed name through a define.
  const worker = await build({
    ...common,
    entryPoints: { 'network-worker': join(root, 'web/src/network-worker-entry.js') },
    format: 'esm',
    entryNames: '[name]-[hash]',
    plugins: [calcModule('external', calcName)],
    outdir: join(WEB, 'assets'),
  });
  const workerName = worker.outputFiles[0].path.split('/').pop();
  await writeFile(worker.outputFiles[0].path, worker.outputFiles[0].contents);
  // ES modules with code splitting: the spreadsheet reader/writer is a separate chunk,
  // fetched only when a dealer uploads or downloads an .xlsx file.
  const site = await build({
    ...common,
    define: { __DC_NETWORK_WORKER__: JSON.stringify(workerName) },
    entryPoints: { app: join(root, 'web/src/main.js'), element: join(root, 'web/src/element.js'), embed: join(root, 'web/src/embed.js') },
    format: 'esm',
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    plugins: [cssText, fflateSync, calcModule('external', calcName)],
    outdir: join(WEB, 'assets'),
    metafile: true,
  });
  let appName;
  let elementName;
  let embedName;
  let appJs = 0;
  for (const f of site.outputFiles) {
    await writeFile(f.path, f.contents);
    const out = site.metafile.outputs[f.path.slice(root.length + 1)] || site.metafile.outputs[f.path];
    if (out?.entryPoint && out.entryPoint.endsWith('web/src/main.js')) {
      appName = f.path.split('/').pop();
      appJs = f.contents.length;
    }
    if (out?.entryPoint && out.entryPoint.endsWith('web/src/element.js')) elementName = f.path.split('/').pop();
    if (out?.entryPoint && out.entryPoint.endsWith('web/src/embed.js')) embedName = f.path.split('/').pop();
  }
  if (!appName || !elementName || !embedName) throw new Error('build-web: no entry output');
  await writeFile(join(WEB, 'favicon.svg'), ICON_SVG);

  // The element for portals, at stable URLs. ES module: a re-export of the hashed entry
  // (which shares chunks with the page). Classic script: one IIFE, WASM module inlined.
  await writeFile(
    join(WEB, 'dealer-calculator.element.mjs'),
    `// <dealer-calculator> for brand portals: import { define } from '…/dealer-calculator.element.mjs'; define('my-tag');\nexport { define, DealerCalculatorElement, default } from './assets/${elementName}';\n`,
  );
  const classic = await build({
    ...common,
    entryPoints: [join(root, 'web/src/element-classic.js')],
    format: 'iife',
    globalName: 'DealerCalculator',
    plugins: [cssText, fflateSync, calcModule('bundle')],
    outfile: join(WEB, 'dealer-calculator.element.js'),
    define: { 'import.meta.url': 'undefined' },
    logOverride: { 'empty-import-meta': 'silent' },
  });
  await writeFile(join(WEB, 'dealer-calculator.element.js'), classic.outputFiles[0].contents);

  // embed.html: the calculator for an iframe.
  const embedCss = (await transform(await readFile(join(root, 'web/src/embed.css'), 'utf8'), { loader: 'css', minify: true })).code;
  const embedCssName = `embed-${hash(embedCss)}.css`;
  await writeFile(join(WEB, 'assets', embedCssName), embedCss);

  // The mock brand portal (plain files, no build step: what a portal would write).
  await mkdir(join(WEB, 'examples'), { recursive: true });
  for (const f of await readdir(join(root, 'web/examples'))) await copyFile(join(root, 'web/examples', f), join(WEB, 'examples', f));
  const cssName = `page-${hash(pageCss)}.css`;
  await writeFile(join(WEB, 'assets', cssName), pageCss);
  for (const f of ['program.json', 'figures.json', 'figures-network.csv']) await copyFile(join(SAMPLE, f), join(WEB, 'programs', 'sample', f));
  const siteCsp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    // ?program=URL may name a brand's own host.
    "connect-src 'self' https: http:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const siteHtml = template
    .replace('{{CSP}}', () => siteCsp)
    .replace('{{ICON}}', () => 'favicon.svg')
    .replace('{{STYLE}}', () => `<link rel="stylesheet" href="assets/${cssName}">\n<link rel="modulepreload" href="assets/${calcName}">`)
    .replace('{{PROGRAM_SRC}}', () => ' program-src="programs/sample/program.json"')
    .replace('{{INLINE_DATA}}', () => `<script type="application/json" data-role="example-figures">${safeJson(example)}</script>`)
    .replace('{{SCRIPT}}', () => `<script type="module" src="assets/${appName}"></script>`);
  await writeFile(join(WEB, 'index.html'), siteHtml);
  const embedHtml = (await readFile(join(root, 'web/embed.html'), 'utf8'))
    .replace('{{CSP}}', () => siteCsp)
    .replace('{{EMBED_CSS}}', () => embedCssName)
    .replace('{{EMBED_JS}}', () => embedName);
  await writeFile(join(WEB, 'embed.html'), embedHtml);

  // ---- dist/dealer-calculator.html ---------------------------------------------------
  const offline = await build({
    ...common,
    format: 'iife',
    plugins: [cssText, fflateSync, calcModule('bundle', undefined, CALC_INFLATE)],
    outfile: join(DIST, 'offline.js'),
    // The module's own URL is not needed: the WASM is inlined.
    define: { 'import.meta.url': 'undefined' },
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const offlineJs = inlineScriptSafe(offline.outputFiles[0].text);
  const style = `<style>${pageCss}</style>`;
  const offlineCsp = [
    "default-src 'none'",
    `script-src ${cspHash(offlineJs)} 'wasm-unsafe-eval'`,
    `style-src ${cspHash(pageCss)}`,
    'img-src data: blob:',
    // The network view's worker: this file's own script, started from a blob: URL.
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const offlineHtml = template
    .replace('{{CSP}}', () => offlineCsp)
    .replace('{{ICON}}', () => ICON_DATA)
    .replace('{{STYLE}}', () => style)
    .replace('{{PROGRAM_SRC}}', () => '')
    .replace(
      '{{INLINE_DATA}}',
      () => `<script type="application/json" data-role="program">${safeJson(program)}</script>\n<script type="application/json" data-role="example-figures">${safeJson(example)}</script>`,
    )
    .replace('{{SCRIPT}}', () => `<script>${offlineJs}</script>`);
  await writeFile(OFFLINE, offlineHtml);

  const size = (b) => `${(b / 1024).toFixed(1)} KB`;
  const gz = gzipSync(Buffer.from(offlineHtml), { level: 9 }).length;
  log(`build-web: dist/web/ (app ${size(appJs)}, network worker ${size(worker.outputFiles[0].contents.length)}, dealer-calc ${size(calcBytes.length)}, css ${size(pageCss.length)})`);
  log(`build-web: ${OFFLINE} (${size(Buffer.byteLength(offlineHtml))}, ${size(gz)} gzip)`);
  return { offlineGzip: gz };
}

await main();
