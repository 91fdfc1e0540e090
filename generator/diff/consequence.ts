// Consequences of a failed quality control: their official Norwegian text and how harsh they
// are, so that the diff can say "harsher" or "milder" and documents can quote the original.
import type { Consequence, Control } from '../model/types.ts';

export const CONSEQUENCE_TEXT: Readonly<Record<Consequence, string>> = {
  'discard-message': 'Slettemerk melding',
  'discard-row': 'Slettemerk rad med underelementer',
  'set-null': 'Sett verdi til NULL',
  'set-minus-one': 'Sett verdi til -1',
  'set-zero': 'Sett verdi til 0',
  none: 'Ingen handling',
};

/** Losing the whole message is worse than losing a row, which is worse than losing a value. */
export const CONSEQUENCE_RANK: Readonly<Record<Consequence, number>> = {
  none: 0,
  'set-null': 1,
  'set-minus-one': 1,
  'set-zero': 1,
  'discard-row': 2,
  'discard-message': 3,
};

/** The Norwegian name of each control kind, as the Word document words it. */
export const CONTROL_TEXT: Readonly<Record<Control['kind'], string>> = {
  required: 'Obligatorisk attributt',
  datatype: 'Datatype sjekkes',
  code: 'Kode sjekkes',
  range: 'Verdiområde',
};

export function consequenceText(c: Consequence): string {
  return `${c} (${CONSEQUENCE_TEXT[c]})`;
}
