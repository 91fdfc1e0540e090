// How quality controls are put into words: what each checks, the official Norwegian text of its
// consequence and how harsh that is, so that the diff can say "harsher" or "milder" and the
// field reference can quote the original.
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

/** What a control checks, apart from its consequence. */
export function controlDetail(c: Control): string {
  switch (c.kind) {
    case 'required':
      return 'present';
    case 'datatype':
      return `${c.check}${c.regex ? ` /${c.regex}/` : ''}`;
    case 'code':
      return c.validOn ? `valid on ${c.validOn}` : 'in the code list';
    case 'range':
      return `${c.from ? `on or after ${c.from}` : ''}${c.from && c.to ? ' and ' : ''}${c.to ? `on or before ${c.to}` : ''}`;
  }
}
