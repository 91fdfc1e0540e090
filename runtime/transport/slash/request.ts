// The request SLASH wants besides the body: the five vendor headers (all required; FHI answers
// 1001 / 1002 otherwise), checked before anything is sent so that a configuration without them
// is a clear error here rather than a stopped unit there.
import { osloToday } from '../../time/oslo.ts';
import { checkVendorHeaders, VENDOR_HEADER_NAMES, type VendorHeaders } from '../../config/vendor-headers.ts';

export { checkVendorHeaders, VENDOR_HEADER_NAMES, type VendorHeaders };

export const EXTRACTION_DATE_HEADER = 'x-data-extraction-date';

/** `dd.MM.yyyy` of the Oslo calendar day at `now` (the day the data was extracted). */
export function extractionDate(now = Date.now()): string {
  const [y, m, d] = osloToday(now).split('-');
  return `${d}.${m}.${y}`;
}

const EXTRACTION_DATE = /^(\d{2})\.(\d{2})\.(\d{4})$/;

/** True when `text` is a real calendar day written dd.MM.yyyy. */
export function isExtractionDate(text: string): boolean {
  const m = EXTRACTION_DATE.exec(text);
  if (!m) return false;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The five x- headers of one request. */
export function slashHeaders(v: VendorHeaders, now = Date.now()): Record<string, string> {
  const problems = checkVendorHeaders(v, 'vendor headers');
  if (problems.length) throw new Error(problems.join('; '));
  return {
    [VENDOR_HEADER_NAMES.vendorName]: v.vendorName,
    [VENDOR_HEADER_NAMES.softwareName]: v.softwareName,
    [VENDOR_HEADER_NAMES.softwareVersion]: v.softwareVersion,
    [VENDOR_HEADER_NAMES.exportSoftwareVersion]: v.exportSoftwareVersion,
    [EXTRACTION_DATE_HEADER]: extractionDate(now),
  };
}
