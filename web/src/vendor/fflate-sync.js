// Stands in for "fflate" inside read-excel-file and write-excel-file (see
// scripts/build-web.mjs): the same API, but zip() and unzip() run synchronously on the
// page instead of starting Web Workers from blob: URLs. Figures files are small, and
// the page must work offline and under a strict Content-Security-Policy.
export * from 'fflate/browser';
import { zipSync, unzipSync } from 'fflate/browser';

function later(fn, cb) {
  let out;
  try {
    out = fn();
  } catch (err) {
    queueMicrotask(() => cb(err, null));
    return () => {};
  }
  queueMicrotask(() => cb(null, out));
  return () => {};
}

export function zip(data, opts, cb) {
  if (typeof opts === 'function') [opts, cb] = [{}, opts];
  return later(() => zipSync(data, opts), cb);
}

export function unzip(data, opts, cb) {
  if (typeof opts === 'function') [opts, cb] = [{}, opts];
  return later(() => unzipSync(data, opts), cb);
}
