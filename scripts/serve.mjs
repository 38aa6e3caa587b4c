#!/usr/bin/env node
// Serves dist/web (the dealer's page as a static site) on 127.0.0.1, Node built-ins only.
//
//   node scripts/serve.mjs            # PORT from the environment, default 8787
//   PORT=9000 node scripts/serve.mjs
//   CSP=strict node scripts/serve.mjs # sends the strict Content-Security-Policy header
//                                     # (STRICT_CSP below) with every response
//   CSP=strict CSP_EXTRA="frame-src 'self' http://127.0.0.1:8788" node scripts/serve.mjs
//                                     # … plus directives (e.g. a portal framing another origin)
//
// Also importable: startServer({root, port, host, csp, headers}) → {server, url, close()}
// (csp: 'strict', a policy string, or none; headers: more response headers).

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The policy a brand portal may run the calculator under (docs/embedding.md). */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self' blob:";

export function cspHeader(csp, extra = '') {
  if (!csp) return '';
  const policy = csp === 'strict' ? STRICT_CSP : String(csp);
  return extra ? `${policy}; ${extra}` : policy;
}

export function startServer({ root, port = 8787, host = '127.0.0.1', quiet = true, csp = '', cspExtra = '', headers = {} } = {}) {
  const base = resolve(root);
  const policy = cspHeader(csp, cspExtra);
  const extraHeaders = { ...(policy ? { 'content-security-policy': policy } : {}), ...headers };
  const server = createServer(async (req, res) => {
    const send = (code, text) => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, 'forbidden');
    try {
      let st = await stat(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = await stat(file);
      }
      const type = MIME[extname(file).toLowerCase()] || 'application/octet-stream';
      // Hashed assets never change; everything else is revalidated.
      const immutable = /\/assets\/[^/]+-[0-9A-Za-z]{8,}\.[a-z]+$/.test(file.split(sep).join('/'));
      res.writeHead(200, {
        'content-type': type,
        'content-length': st.size,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...extraHeaders,
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
      if (!quiet) console.log(`${req.method} ${path} 200`);
    } catch {
      send(404, 'not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      ok({ server, url: `http://${host}:${actual}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');
  const port = Number(process.env.PORT || 8787);
  try {
    await stat(join(root, 'index.html'));
  } catch {
    console.error('serve: dist/web/index.html is missing; run node scripts/build-web.mjs first');
    process.exit(1);
  }
  const csp = process.env.CSP || '';
  const { url } = await startServer({ root, port, quiet: false, csp, cspExtra: process.env.CSP_EXTRA || '' });
  console.log(`serving ${root} at ${url}${csp ? ` with Content-Security-Policy: ${cspHeader(csp, process.env.CSP_EXTRA || '')}` : ''} (Ctrl+C to stop)`);
}
