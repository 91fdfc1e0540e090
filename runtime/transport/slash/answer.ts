// The receiver's answer: `{delivered, errors: [{errorCode, propertyName, errorMessage,
// errorDetails}]}` and the `X-Correlation-ID` header, its id of the delivery. Read leniently
// (the body may be absent or not JSON on a 5xx), kept whole for the operator.

export interface SlashErrorItem {
  errorCode?: number;
  propertyName?: string;
  errorMessage?: string;
  /** As sent: schema errors carry a JSON text here. */
  errorDetails?: string;
}

export interface SlashAnswer {
  status: number;
  /** The body's `delivered`, when it said. */
  delivered?: boolean;
  errors: SlashErrorItem[];
  correlationId?: string;
  /** The first 500 characters of a body that was not the answer's JSON shape. */
  rawBody?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v));

export function parseAnswer(status: number, headers: Headers, body: string): SlashAnswer {
  const correlationId = headers.get('x-correlation-id') ?? undefined;
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const obj = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  if (!obj || (!('delivered' in obj) && !('errors' in obj))) {
    return { status, errors: [], correlationId, rawBody: body ? body.slice(0, 500) : undefined };
  }
  const errors = Array.isArray(obj.errors)
    ? (obj.errors as unknown[]).map((e): SlashErrorItem => {
        const r = (e ?? {}) as Record<string, unknown>;
        const n = typeof r.errorCode === 'number' ? r.errorCode : typeof r.errorCode === 'string' && /^\d+$/.test(r.errorCode) ? Number(r.errorCode) : undefined;
        return { errorCode: n, propertyName: str(r.propertyName), errorMessage: str(r.errorMessage), errorDetails: str(r.errorDetails) };
      })
    : [];
  return { status, delivered: typeof obj.delivered === 'boolean' ? obj.delivered : undefined, errors, correlationId };
}

/** Schema errors in `errorDetails` (`[{"Location":"/0","Errors":[{"Value":"…"}]}]`) as lines, or undefined. */
export function schemaErrorLines(details: string | undefined): string[] | undefined {
  if (!details) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(details);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  const lines: string[] = [];
  for (const item of v as Array<Record<string, unknown>>) {
    const at = typeof item?.Location === 'string' ? item.Location : '?';
    for (const e of Array.isArray(item?.Errors) ? (item.Errors as Array<Record<string, unknown>>) : []) lines.push(`${at}: ${str(e?.Value) ?? JSON.stringify(e)}`);
  }
  return lines;
}
