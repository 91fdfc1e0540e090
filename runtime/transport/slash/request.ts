// The request SLASH wants besides the body: the five vendor headers (all required; FHI answers
// 1001 / 1002 otherwise), checked before anything is sent so that a configuration without them
// is a clear error here rather than a stopped unit there.
import { osloToday } from '../../time/oslo.ts';

/** The four headers a vendor configures; the fifth, the extraction date, is the run's. */
export interface VendorHeaders {
  vendorName: string;
  softwareName: string;
  softwareVersion: string;
  exportSoftwareVersion: string;
}

export const VENDOR_HEADER_NAMES: Record<keyof VendorHeaders, string> = {
  vendorName: 'x-vendor-name',
  softwareName: 'x-software-name',
  softwareVersion: 'x-software-version',
  exportSoftwareVersion: 'x-export-software-version',
};

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

/** Printable ASCII: what an HTTP header value carries everywhere without re-encoding. */
const HEADER_VALUE = /^[\x20-\x7e]+$/;

/**
 * Problems with configured vendor headers, each naming the setting (`where.vendorName`) and the
 * header it becomes; empty when they are fine.
 */
export function checkVendorHeaders(v: Partial<Record<keyof VendorHeaders, unknown>> | undefined, where: string): string[] {
  const problems: string[] = [];
  for (const [key, header] of Object.entries(VENDOR_HEADER_NAMES) as Array<[keyof VendorHeaders, string]>) {
    const value = v?.[key];
    if (value === undefined || value === null || value === '') problems.push(`${where}.${key} is missing: SLASH requires the ${header} header`);
    else if (typeof value !== 'string') problems.push(`${where}.${key} must be text (the ${header} header)`);
    else if (!HEADER_VALUE.test(value) || value.trim() !== value) problems.push(`${where}.${key} ${JSON.stringify(value)} must be printable ASCII without leading or trailing spaces (the ${header} header)`);
  }
  return problems;
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
