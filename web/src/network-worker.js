// The network view's Web Worker: loads the same WASM module as the page and serves one
// NetworkJob (network-job.js) by messages. Started three ways (network-client.js):
//   - the static site: a module worker, assets/network-worker-<hash>.js (network-worker-entry.js);
//   - the offline single file: a classic worker from a blob: URL holding the file's own
//     inline script, which calls serveWorker() when it finds itself in a worker;
//   - the classic element script: a classic worker from that script's own URL.
//
// Messages in: {id, type: 'run'|'view'|'rows'|'rowText'|'export', args}.
// Messages out: {type: 'ready'} once the engine is up, {type: 'progress', …} while reading,
// {id, ok: true, value} or {id, ok: false, error: {code, message, details}} per request.

import { getCalc } from './calc.js';
import { NetworkJob } from './network-job.js';

/** True in a worker (dedicated, shared or service), false on a page. */
export function inWorker() {
  return typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' && self instanceof WorkerGlobalScope; // eslint-disable-line no-undef
}

export function plainError(err) {
  return { code: err?.code || 'internal_error', message: String(err?.message || err), details: Array.isArray(err?.details) ? err.details : [] };
}

export function serveWorker(scope = self) {
  let job = null;
  let engine = null;
  const reply = (id, value) => scope.postMessage({ id, ok: true, value });
  const fail = (id, err) => scope.postMessage({ id, ok: false, error: plainError(err) });
  const started = getCalc().then(
    (calc) => {
      engine = calc;
      scope.postMessage({ type: 'ready' });
      return calc;
    },
    (err) => {
      scope.postMessage({ type: 'engine-failed', error: plainError(err) });
      throw err;
    },
  );
  scope.onmessage = async (ev) => {
    const { id, type, args = {} } = ev.data || {};
    try {
      switch (type) {
        case 'run': {
          const calc = engine || (await started);
          job?.dispose();
          job = new NetworkJob(calc, args.programText, args.file, args.input, {
            locale: args.locale,
            onProgress: (p) => scope.postMessage({ type: 'progress', ...p }),
          });
          reply(id, await job.run());
          break;
        }
        case 'view':
          reply(id, job.setView(args));
          break;
        case 'rows':
          reply(id, job.rows(args.start, args.end));
          break;
        case 'rowText':
          reply(id, await job.rowText(args.k));
          break;
        case 'export':
          reply(id, job.exportBlob());
          break;
        default:
          fail(id, { code: 'internal_error', message: `unknown request ${type}` });
      }
    } catch (err) {
      fail(id, err);
    }
  };
}
