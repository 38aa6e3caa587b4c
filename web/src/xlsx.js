// Excel files: the first sheet of an uploaded .xlsx (read-excel-file), and the
// templates the page offers (write-excel-file). Both run on the page, offline.

import { readSheet } from 'read-excel-file/universal';
import writeXlsxFile from 'write-excel-file/universal';

/** bytes of an .xlsx → rows of cells (string | number | boolean | Date | null), first sheet. */
export async function readXlsx(bytes) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return readSheet(buffer);
}

/** sheets: [{sheet: name, data: rows of {value, ...cell options}, columns}] → Blob */
export async function writeXlsx(sheets) {
  return writeXlsxFile(sheets).toBlob();
}
