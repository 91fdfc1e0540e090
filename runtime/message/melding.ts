// Builds the Melding of one batch: the header from the configuration (versjon, meldingstype,
// leverandor, navnEPJ, versjonEPJ, versjonUt, Kontaktperson, Kommune), the period and
// extraction date, the year's lopenr, and one Notifikasjon per consultation decision, in chain
// order. Produces the JSON form the generated codec serialises (keys in the spec's order).

export interface MeldingHeader {
  /** The spec version, e.g. "56.0.0" (attribute versjon). */
  versjon: string;
  meldingstype: string;
  leverandor: string;
  navnEPJ: string;
  versjonEPJ: string;
  versjonUt: string;
  Kontaktperson: Record<string, unknown>[];
  Kommune: Record<string, unknown>[];
}

export interface NotificationInput {
  status: 'N' | 'M' | 'C';
  guid: string;
  forrigeGuid: string;
  lopeNr: number;
  ref: string | null;
  /** Local time `YYYY-MM-DDTHH:MM:SS`. */
  notifikasjonTid: string;
  /** The mapped Konsultasjon (absent for C: the annulment names the notification it annuls). */
  konsultasjon?: Record<string, unknown>;
}

export interface MeldingInput {
  lopenr: number;
  /** Local date `YYYY-MM-DD` of the extraction. */
  uttakDato: string;
  notifications: NotificationInput[];
}

/** The period a message covers: its consultations' first and last day (the extraction date when it has none). */
export function period(notifications: readonly NotificationInput[], uttakDato: string): { fra: string; til: string } {
  let fra: string | undefined;
  let til: string | undefined;
  for (const n of notifications) {
    const start = n.konsultasjon?.datoTidStart;
    if (typeof start !== 'string' || start.length < 10) continue;
    const day = start.slice(0, 10);
    if (fra === undefined || day < fra) fra = day;
    if (til === undefined || day > til) til = day;
  }
  return { fra: fra ?? uttakDato, til: til ?? uttakDato };
}

export function notifikasjon(n: NotificationInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    statusNotifikasjon: n.status,
    notifikasjonTid: n.notifikasjonTid,
    notifikasjonGUID: n.guid,
    notifikasjonForrigeGUID: n.forrigeGuid,
    notifikasjonLopeNr: String(n.lopeNr),
  };
  if (n.ref) out.notifikasjonRef = n.ref;
  if (n.konsultasjon) out.Konsultasjon = [n.konsultasjon];
  return out;
}

export function buildMelding(h: MeldingHeader, m: MeldingInput): Record<string, unknown> {
  const { fra, til } = period(m.notifications, m.uttakDato);
  return {
    versjon: h.versjon,
    meldingstype: h.meldingstype,
    fraDatoPeriode: fra,
    uttakDato: m.uttakDato,
    leverandor: h.leverandor,
    navnEPJ: h.navnEPJ,
    versjonEPJ: h.versjonEPJ,
    versjonUt: h.versjonUt,
    lopenr: m.lopenr,
    tilDatoPeriode: til,
    Notifikasjon: m.notifications.map(notifikasjon),
    Kontaktperson: h.Kontaktperson,
    Kommune: h.Kommune,
  };
}
