// Module Worker of bench/browser/index.html. Message in: {module, program, csv, next, runs};
// message out: {load_ms, runs: [{seconds, rows, errors, output_bytes}]} or {error}.
// Each run is timed from fetching the programme to the output Blob: programme fetch and
// parse, the CSV fetched from 127.0.0.1 as a stream and its bytes
// pushed piece by piece through program.batch(), the output pieces gathered into a Blob
// (what a page does to offer the results for download).
self.onmessage = async ({ data: o }) => {
  try {
    const t0 = performance.now();
    const { createDealerCalc } = await import(o.module);
    const calc = await createDealerCalc();
    const load_ms = performance.now() - t0;
    const runs = [];
    for (let r = 0; r < o.runs; r++) {
      const start = performance.now();
      const program = calc.loadProgram(await (await fetch(o.program, { cache: 'no-store' })).text());
      const batch = program.batch({ input: 'csv', output: 'csv', next: !!o.next });
      const res = await fetch(o.csv, { cache: 'no-store' });
      // The CSV is UTF-8: its bytes go in as they arrive (Batch.push takes UTF-8 bytes).
      const reader = res.body.getReader();
      const parts = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = batch.push(value);
        if (text) parts.push(text);
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
