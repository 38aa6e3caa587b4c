// Stands in for "fflate" inside read-excel-file and write-excel-file (see
// scripts/build-web.mjs): the same API, but zip() and unzip() run synchronously on the
// page instead of starting Web Workers from blob: URLs. Figures files are small, and
// the page must work offline and under a strict Content-Security-Policy.
//
// unzip() reads spreadsheets from strangers, so it is bounded: entries are inflated a
// small step at a time and the archive may unpack to at most MAX_UNZIPPED bytes. A "zip
// bomb" (a few kilobytes that unpack to gigabytes, or whose headers understate their
// size) is refused with an error whose code is 'too_large', before it can freeze the page.
export * from 'fflate/browser';
import { zipSync, Inflate, strFromU8 } from 'fflate/browser';

/** The most an uploaded spreadsheet may unpack to (all the entries read, together). */
export const MAX_UNZIPPED = 16 * 1024 * 1024;
const STEP = 16 * 1024; // compressed bytes per inflate step: at most ~16 MB out per step

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
  return later(() => unzipBounded(data, opts, MAX_UNZIPPED), cb);
}

const broken = (why) => Object.assign(new Error(`invalid zip data: ${why}`), { code: 13 }); // fflate's "invalid zip data"
const tooLarge = (limit) => Object.assign(new Error(`the archive unpacks to more than ${limit} bytes`), { code: 'too_large', limit });

/** unzipSync() with a limit on the unpacked size (central directory; no ZIP64). */
export function unzipBounded(data, opts, limit) {
  const u16 = (i) => data[i] | (data[i + 1] << 8);
  const u32 = (i) => (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)) + data[i + 3] * 0x1000000;
  // The end-of-central-directory record: the last 22 bytes, or up to 64 KB before them (a comment).
  const first = Math.max(0, data.length - 22 - 65535);
  let end = data.length - 22;
  while (end >= first && u32(end) !== 0x06054b50) end -= 1;
  if (end < first) throw broken('no end of central directory');
  const count = u16(end + 10);
  let at = u32(end + 16);
  const files = {};
  let left = limit;
  for (let n = 0; n < count; n++) {
    if (at + 46 > data.length || u32(at) !== 0x02014b50) throw broken('bad central directory');
    const method = u16(at + 10);
    const size = u32(at + 20);
    const originalSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const local = u32(at + 42);
    const name = strFromU8(data.subarray(at + 46, at + 46 + nameLength), !(u16(at + 8) & 2048));
    at += 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (opts?.filter && !opts.filter({ name, size, originalSize, compression: method })) continue;
    if (size === 0xffffffff || originalSize === 0xffffffff || originalSize > left) throw tooLarge(limit);
    if (local + 30 > data.length || u32(local) !== 0x04034b50) throw broken('bad local header');
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + size > data.length) throw broken('truncated');
    const raw = data.subarray(start, start + size);
    let out;
    if (method === 0) out = raw.slice();
    else if (method === 8) out = inflateBounded(raw, left, limit);
    else throw broken(`unknown compression type ${method}`);
    left -= out.length;
    files[name] = out;
  }
  return files;
}

function inflateBounded(raw, left, limit) {
  const parts = [];
  let length = 0;
  const inflater = new Inflate((chunk) => {
    length += chunk.length;
    if (length > left) throw tooLarge(limit);
    parts.push(chunk);
  });
  for (let i = 0; i < raw.length || i === 0; i += STEP) inflater.push(raw.subarray(i, i + STEP), i + STEP >= raw.length);
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
