// The four vendor headers SLASH requires (FHI answers 1001 HttpHeaderMissing / 1002
// HttpHeaderValidation otherwise), as kpr.yaml's slash.vendor names them. Here rather than in
// transport/slash/ so that the configuration can check them without importing the transport
// (transport's commands read the configuration, never the other way).

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
    else if (!HEADER_VALUE.test(value) || value.trim() !== value)
      problems.push(`${where}.${key} ${JSON.stringify(value)} must be printable ASCII without leading or trailing spaces (the ${header} header)`);
  }
  return problems;
}
