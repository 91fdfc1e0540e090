// A small, seeded extract of appointments for the SLASH setup and the demo, in the passthrough
// form the SLASH channel reads (docs/slash.md): each line the reporting unit (orgNr, kommuneNr),
// changedAt, and the `avtale` as HST_Avtale 1 carries it; some appointments corrected later, some
// deleted. A stop-gap until `kpr demo-data` writes appointments of its own (issue 14, part D).
import { createHash } from 'node:crypto';

export interface AppointmentLine {
  orgNr: string;
  kommuneNr: number;
  changedAt: string;
  deleted?: true;
  avtaleId?: string;
  avtale?: Record<string, unknown>;
}

/** Test organisation numbers (the sandbox's own and two more of the same series). */
export const DEMO_UNITS = [
  { orgNr: '999999905', kommuneNr: 4601 },
  { orgNr: '999999913', kommuneNr: 4601 },
  { orgNr: '999999921', kommuneNr: 3253 },
];

/** Deterministic numbers from the seed: no Math.random, so a seed always makes the same file. */
function stream(seed: string): () => number {
  let i = 0;
  return () => {
    const h = createHash('sha256').update(`${seed}:${i++}`).digest();
    return h.readUInt32BE(0) / 2 ** 32;
  };
}

const TYPES = ['HS', 'SH', 'JO'];

/** Appointments from `from` to `to` (months), `perMonth` per unit and month, oldest first by changedAt. */
export function appointmentLines(o: { seed: string; from: string; to: string; perMonth: number }): AppointmentLine[] {
  const rnd = stream(o.seed);
  const out: AppointmentLine[] = [];
  const [fy, fm] = o.from.split('-').map(Number) as [number, number];
  const [ty, tm] = o.to.split('-').map(Number) as [number, number];
  for (let y = fy, m = fm; y < ty || (y === ty && m <= tm); m === 12 ? ((y += 1), (m = 1)) : (m += 1)) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    for (const u of DEMO_UNITS) {
      for (let k = 0; k < o.perMonth; k++) {
        const day = 1 + Math.floor(rnd() * 28);
        const hour = 8 + Math.floor(rnd() * 8);
        const id = `${u.orgNr.slice(-3)}-${month}-${String(k).padStart(3, '0')}`;
        const stamp = `${month}-${String(day).padStart(2, '0')}`;
        const changedAt = `${stamp}T${String(hour).padStart(2, '0')}:30:00Z`;
        const avtale = {
          avtaleId: id,
          datoTid: `${stamp}T${String(hour).padStart(2, '0')}:00:00+01:00`,
          journalId: `J-${u.orgNr.slice(-3)}-${Math.floor(rnd() * 5000)}`,
          konsultasjonType: TYPES[Math.floor(rnd() * TYPES.length)],
          oppmoteStatus: rnd() < 0.9 ? 1 : 2,
          avdeling: { lokalenhetId: `HS${u.kommuneNr}`, lokalNavn: 'Demo helsestasjon' },
        };
        out.push({ orgNr: u.orgNr, kommuneNr: u.kommuneNr, changedAt, avtale });
        const r = rnd();
        // A later correction (attendance recorded afterwards), or a deletion in the EPJ.
        if (r < 0.05) out.push({ orgNr: u.orgNr, kommuneNr: u.kommuneNr, changedAt: `${stamp}T20:00:00Z`, avtale: { ...avtale, oppmoteStatus: 3 } });
        else if (r < 0.07) out.push({ orgNr: u.orgNr, kommuneNr: u.kommuneNr, changedAt: `${stamp}T21:00:00Z`, deleted: true, avtaleId: id });
      }
    }
  }
  return out.sort((a, b) => (a.changedAt < b.changedAt ? -1 : a.changedAt > b.changedAt ? 1 : 0));
}
