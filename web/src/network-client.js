// The page's side of the network view's computing: starts a Web Worker that runs a
// NetworkJob (network-worker.js) and talks to it by messages; when no worker can be
// created or started (an embedding context that forbids them, a browser without module
// workers), runs the same job on the page's own thread in small slices instead. Either
// way the caller gets the same object:
//
//   const run = startNetwork({programText, file, input, locale, onProgress});
//   run.mode                       'worker' or 'page' (may change from worker to page at start)
//   await run.done                 the summary (rejects with CANCELLED after run.cancel())
//   await run.view({sort, text, near}) → {count}
//   await run.rows(start, end)     → rows of the current view
//   await run.rowText(k)           → the k-th row's own text, to open that dealer
//   await run.exportBlob()         → the core's CSV output of all rows, with a BOM
//   run.cancel(); run.dispose()

import { getCalc } from './calc.js';
import { NetworkJob, CANCELLED } from './network-job.js';

export { CANCELLED };

// Set by the build: the static site's module worker file, next to this script ('' in the
// classic-script builds, which start a worker from their own script instead).
/* global __DC_NETWORK_WORKER__ */
const WORKER_FILE = typeof __DC_NETWORK_WORKER__ === 'string' ? __DC_NETWORK_WORKER__ : '';
// A classic script knows itself only while it first runs: the offline file's inline
// <script> (its text becomes the worker's blob) or the element's <script src>.
const SELF_SCRIPT = typeof document !== 'undefined' ? document.currentScript : null;

function createWorker() {
  if (typeof Worker !== 'function') throw new Error('no Worker');
  if (WORKER_FILE) return { worker: new Worker(new URL(WORKER_FILE, import.meta.url), { type: 'module', name: 'dealer-calc-network' }) };
  if (SELF_SCRIPT?.src) return { worker: new Worker(SELF_SCRIPT.src, { name: 'dealer-calc-network' }) };
  const text = SELF_SCRIPT?.textContent;
  if (!text) throw new Error('no script to start a worker from');
  // The offline file: the worker runs the file's own script (WASM included), which serves
  // the job when it finds itself in a worker. No second copy of anything in the file.
  const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  try {
    return { worker: new Worker(url, { name: 'dealer-calc-network' }), url };
  } catch (err) {
    URL.revokeObjectURL(url);
    throw err;
  }
}

const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The job on the page's own thread: pieces of about 8 KB, yielding every ~12 ms. */
function pageRun(params) {
  let job = null;
  let cancelled = false;
  const done = (async () => {
    const calc = await getCalc();
    if (cancelled) throw CANCELLED;
    job = new NetworkJob(calc, params.programText, params.file, params.input, {
      sliceChars: 8192,
      yieldNow: macrotask,
      onProgress: params.onProgress,
      locale: params.locale,
    });
    return job.run();
  })();
  return {
    mode: 'page',
    done,
    view: async (args) => job.setView(args),
    rows: async (start, end) => job.rows(start, end),
    rowText: async (k) => job.rowText(k),
    exportBlob: async () => job.exportBlob(),
    cancel() {
      cancelled = true;
      job?.cancel();
    },
    dispose() {
      cancelled = true;
      job?.cancel();
      job?.dispose();
      job = null;
    },
  };
}

/** The job in a worker; falls back to the page when the worker does not start. */
function workerRun(params, fallback) {
  const { worker, url } = createWorker();
  const pending = new Map();
  let nextId = 1;
  let ready = false;
  let over = false;
  let resolveDone;
  let rejectDone;
  const done = new Promise((ok, fail) => {
    resolveDone = ok;
    rejectDone = fail;
  });
  const call = (type, args) =>
    new Promise((ok, fail) => {
      if (over) {
        fail(CANCELLED);
        return;
      }
      const id = nextId++;
      pending.set(id, { ok, fail });
      worker.postMessage({ id, type, args });
    });
  const stop = () => {
    over = true;
    worker.terminate();
    if (url) URL.revokeObjectURL(url);
    for (const p of pending.values()) p.fail(CANCELLED);
    pending.clear();
  };
  const giveUp = () => {
    // The worker never came up: the same job on the page.
    if (over) return;
    stop();
    fallback();
  };
  worker.onmessage = (ev) => {
    const m = ev.data || {};
    if (m.type === 'ready') {
      ready = true;
      if (url) URL.revokeObjectURL(url);
      return;
    }
    if (m.type === 'engine-failed') {
      if (!ready) giveUp();
      return;
    }
    if (m.type === 'progress') {
      params.onProgress?.(m);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.ok(m.value);
    else p.fail(m.error);
  };
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    if (!ready) {
      giveUp();
      return;
    }
    const err = { code: 'internal_error', message: String(ev.message || 'worker error'), details: [] };
    for (const p of pending.values()) p.fail(err);
    pending.clear();
  };
  worker.onmessageerror = worker.onerror;
  call('run', { programText: params.programText, file: params.file, input: params.input, locale: params.locale }).then(resolveDone, (err) => {
    if (err !== CANCELLED) rejectDone(err);
  });
  return {
    mode: 'worker',
    done,
    view: (args) => call('view', args),
    rows: (start, end) => call('rows', { start, end }),
    rowText: (k) => call('rowText', { k }),
    exportBlob: () => call('export'),
    cancel() {
      if (over) return;
      stop();
      rejectDone(CANCELLED);
    },
    dispose() {
      if (!over) stop();
    },
  };
}

/**
 * Starts computing. params: {programText, file (Blob), input: 'csv'|'jsonl', locale,
 * onProgress({bytes, total, rows, errors, encoding, problems, restarted}), noWorker}.
 */
export function startNetwork(params) {
  let inner = null;
  let outerResolve;
  let outerReject;
  const done = new Promise((ok, fail) => {
    outerResolve = ok;
    outerReject = fail;
  });
  const run = {
    get mode() {
      return inner.mode;
    },
    done,
    view: (args) => inner.view(args),
    rows: (start, end) => inner.rows(start, end),
    rowText: (k) => inner.rowText(k),
    exportBlob: () => inner.exportBlob(),
    cancel: () => inner.cancel(),
    dispose: () => inner.dispose(),
  };
  const onPage = () => {
    inner = pageRun(params);
    inner.done.then(outerResolve, outerReject);
  };
  if (params.noWorker) {
    onPage();
    return run;
  }
  try {
    inner = workerRun(params, () => {
      params.onFallback?.();
      onPage();
    });
    inner.done.then(outerResolve, outerReject);
  } catch {
    onPage();
  }
  return run;
}
