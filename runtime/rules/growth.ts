// Plausibility of a child's height and weight for its age: a careful sender's check that
// catches unit mix-ups (grams sent as kilograms, metres as centimetres) and typing errors.
// The bounds are deliberately wide (well outside the 0.1st and 99.9th centiles of Norwegian
// growth curves); a value outside them is a warning, never a rejection, because real children
// can be outside any curve.

/** [age in years, min, max]; linear in between, flat after the last row. */
const HEIGHT_CM: [number, number, number][] = [
  [0, 30, 62],
  [0.5, 55, 80],
  [1, 62, 88],
  [2, 74, 100],
  [4, 87, 119],
  [6, 99, 135],
  [8, 109, 148],
  [10, 119, 161],
  [12, 127, 176],
  [14, 137, 191],
  [16, 143, 201],
  [18, 145, 206],
];

const WEIGHT_KG: [number, number, number][] = [
  [0, 0.4, 6],
  [0.5, 3.5, 11.5],
  [1, 5.5, 15],
  [2, 7.5, 19],
  [4, 10, 28],
  [6, 12.5, 38],
  [8, 15, 50],
  [10, 18, 66],
  [12, 21, 86],
  [14, 26, 106],
  [16, 32, 126],
  [18, 35, 145],
];

// The bounds at an age, written here rather than returned as a pair: no allocation per check.
let boundLo = 0;
let boundHi = 0;

function bounds(table: [number, number, number][], age: number): void {
  if (age <= table[0][0]) {
    boundLo = table[0][1];
    boundHi = table[0][2];
    return;
  }
  for (let i = 1; i < table.length; i++) {
    const row = table[i];
    const a1 = row[0];
    if (age <= a1) {
      const prev = table[i - 1];
      const a0 = prev[0];
      const lo0 = prev[1];
      const hi0 = prev[2];
      const f = (age - a0) / (a1 - a0);
      boundLo = lo0 + f * (row[1] - lo0);
      boundHi = hi0 + f * (row[2] - hi0);
      return;
    }
  }
  const last = table[table.length - 1];
  boundLo = last[1];
  boundHi = last[2];
}

export type GrowthKind = 'height' | 'weight';

/**
 * Undefined when plausible; otherwise a sentence saying why not. `value` is in cm for height
 * and kg for weight; `ageYears` may be fractional. Ages below zero (measured before birth) are
 * implausible by themselves.
 */
export function growthProblem(kind: GrowthKind, value: number, ageYears: number): string | undefined {
  if (!Number.isFinite(value) || !Number.isFinite(ageYears)) return undefined;
  if (ageYears < -0.05) return `measured ${(-ageYears).toFixed(1)} years before the child was born`;
  bounds(kind === 'height' ? HEIGHT_CM : WEIGHT_KG, ageYears);
  const lo = boundLo;
  const hi = boundHi;
  const unit = kind === 'height' ? 'cm' : 'kg';
  if (value < lo || value > hi) {
    return `${kind} ${value} ${unit} is implausible at age ${ageYears.toFixed(1)} (expected ${round(lo)}–${round(hi)} ${unit}; check the unit)`;
  }
  return undefined;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** What a Maling measures, from its free-text typeMaling (Norwegian or English). */
const kinds = new Map<string, GrowthKind | undefined>();

export function growthKindOf(typeMaling: unknown): GrowthKind | undefined {
  if (typeof typeMaling !== 'string') return undefined;
  // A run sees a handful of distinct texts: remember them (bounded, in case it sees many).
  if (kinds.has(typeMaling)) return kinds.get(typeMaling);
  const kind = kindOfText(typeMaling);
  if (kinds.size > 1000) kinds.clear();
  kinds.set(typeMaling, kind);
  return kind;
}

function kindOfText(typeMaling: string): GrowthKind | undefined {
  const t = typeMaling.toLowerCase();
  if (t.includes('høyde') || t.includes('hoyde') || t.includes('lengde') || t.includes('height') || t.includes('length')) return 'height';
  if (t.includes('vekt') || t.includes('weight')) return 'weight';
  return undefined;
}

/** A measured value in cm (height) or kg (weight), from Maleresultat's verdi and enhet. */
export function growthValue(kind: GrowthKind, verdi: unknown, enhet: unknown): number | undefined {
  const v = typeof verdi === 'number' ? verdi : typeof verdi === 'string' ? Number(verdi.trim().replace(',', '.')) : NaN;
  if (!Number.isFinite(v)) return undefined;
  const u = typeof enhet === 'string' ? enhet.trim().toLowerCase() : '';
  if (kind === 'height') return u === 'm' ? v * 100 : u === 'mm' ? v / 10 : v;
  return u === 'g' ? v / 1000 : v;
}
