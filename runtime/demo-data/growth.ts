// Plausible growth for the demo children: median curves shaped like the WHO (0–5 years) and
// WHO/CDC reference (5–18 years) medians, rounded, plus a per-child percentile and measurement
// noise. Good enough that height rises with age and weight follows height; not a clinical chart.

import type { SexCode } from './record.ts';

/** Ages in days at which the medians below are given. */
const AGES = [0, 30, 61, 91, 122, 183, 274, 365, 548, 730, 1096, 1461, 1826, 2191, 2922, 3652, 4383, 5113, 5844, 6574];

const HEIGHT_CM: Record<SexCode, number[]> = {
  M: [49.9, 54.7, 58.4, 61.4, 63.9, 67.6, 72.0, 75.7, 82.3, 87.8, 96.1, 103.3, 110.0, 116.0, 127.3, 137.8, 149.1, 163.2, 173.5, 176.1],
  F: [49.1, 53.7, 57.1, 59.8, 62.1, 65.7, 70.1, 74.0, 80.7, 86.4, 95.1, 102.7, 109.4, 115.1, 126.6, 138.6, 151.2, 159.8, 162.5, 163.1],
};
const WEIGHT_KG: Record<SexCode, number[]> = {
  M: [3.3, 4.5, 5.6, 6.4, 7.0, 7.9, 8.9, 9.6, 10.9, 12.2, 14.3, 16.3, 18.3, 20.5, 25.4, 31.2, 39.9, 50.8, 60.8, 67.0],
  F: [3.2, 4.2, 5.1, 5.8, 6.4, 7.3, 8.2, 8.9, 10.2, 11.5, 13.9, 16.1, 18.2, 20.2, 25.8, 31.9, 41.5, 50.3, 54.8, 56.6],
};
/** Head circumference is followed up to two years only. */
const HEAD_CM: Record<SexCode, number[]> = {
  M: [34.5, 37.3, 39.1, 40.5, 41.6, 43.3, 45.0, 46.1, 47.4, 48.3],
  F: [33.9, 36.5, 38.3, 39.5, 40.6, 42.2, 43.8, 44.9, 46.2, 47.2],
};

function interpolate(values: number[], ageDays: number): number {
  const last = Math.min(values.length, AGES.length) - 1;
  if (ageDays <= AGES[0]) return values[0];
  if (ageDays >= AGES[last]) return values[last];
  let i = 1;
  while (AGES[i] < ageDays) i++;
  const f = (ageDays - AGES[i - 1]) / (AGES[i] - AGES[i - 1]);
  return values[i - 1] + f * (values[i] - values[i - 1]);
}

/** A child's place in the distribution (z-scores), fixed for life. */
export interface GrowthProfile {
  zHeight: number;
  zWeight: number;
  zHead: number;
}

/** Height (or length, under two) in cm for the child at an age, before measurement noise. */
export function heightCm(sex: SexCode, ageDays: number, z: number): number {
  // SD grows from about 1.9 cm at birth to 7 cm in the teens: a coefficient of variation near 4 %.
  return interpolate(HEIGHT_CM[sex], ageDays) * (1 + 0.04 * z);
}

/** Weight in grams, log-normal around the median; newborns lose some weight in the first days. */
export function weightGrams(sex: SexCode, ageDays: number, z: number): number {
  const cv = ageDays < 730 ? 0.11 : ageDays < 3652 ? 0.14 : 0.17;
  const newbornDip = ageDays <= 5 ? 0.93 : ageDays <= 10 ? 0.98 : 1;
  return interpolate(WEIGHT_KG[sex], ageDays) * 1000 * Math.exp(cv * z) * newbornDip;
}

export function headCircumferenceCm(sex: SexCode, ageDays: number, z: number): number {
  return interpolate(HEAD_CM[sex], ageDays) * (1 + 0.03 * z);
}
