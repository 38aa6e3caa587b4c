// Module Worker of bench/browser/index.html. Message in: {module, program, csv, next, runs,
// source}; message out: {load_ms, runs: [{seconds, rows, errors, output_bytes}]} or {error}.
// Each run is timed from fetching the programme to the output Blob: programme fetch and
// parse, the CSV's bytes pushed piece by piece through program.batch(), the output pieces
// gathered into a Blob (what a page does to offer the results for download). The CSV
// comes one of two ways:
//   source 'file' (default): as the network view reads the file a dealer picked
//     (web/src/network-job.js): a Blob, read in 1 MiB slices. The Blob is fetched once,
//     before the runs, as the picked file is on disk before the dealer asks;
//   source 'fetch': fetched from 127.0.0.1 inside each run and read as a stream, as it
//     arrives (the bench's own server then shares the two cores with the worker).
const SLICE = 1 << 20;

self.onmessage = async ({ data: o }) => {
  try {
    const t0 = performance.now();
    const { createDealerCalc } = await import(o.module);
    const calc = await createDealerCalc();
    const load_ms = performance.now() - t0;
    const file = o.source === 'fetch' ? null : await (await fetch(o.csv, { cache: 'no-store' })).blob();
    const runs = [];
    for (let r = 0; r < o.runs; r++) {
      const start = performance.now();
      const program = calc.loadProgram(await (await fetch(o.program, { cache: 'no-store' })).text());
      const batch = program.batch({ input: 'csv', output: 'csv', next: !!o.next });
      const parts = [];
      // The CSV is UTF-8: its bytes go in as they are read (Batch.push takes UTF-8 bytes).
      const push = (bytes) => {
        const text = batch.push(bytes);
        if (text) parts.push(text);
      };
      if (file) {
        for (let at = 0; at < file.size; at += SLICE) push(new Uint8Array(await file.slice(at, at + SLICE).arrayBuffer()));
      } else {
        const reader = (await fetch(o.csv, { cache: 'no-store' })).body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          push(value);
        }
      }
      const last = batch.finish();
      if (last) parts.push(last);
      const blob = new Blob(parts, { type: 'text/csv' });
      const status = batch.status();
      batch.dispose();
      program.dispose();
      runs.push({ seconds: (performance.now() - start) / 1000, rows: status.rows, errors: status.errors, output_bytes: blob.size });
    }
    self.postMessage({ load_ms, runs, userAgent: navigator.userAgent });
  } catch (e) {
    self.postMessage({ error: String(e && e.stack || e) });
  }
};
