// Turns what the publications say in words into restrictions a careful sender can check:
// the receiver's datatype check names ("Streng max 100 tegn", "Min 1 max 9 siffer") into
// maxLength/minLength/pattern, and the few usage notes that narrow a code list
// ("Kun de tre første kodene og kode 9 er gyldige") into `accept`. Only clearly stated
// forms are recognised; anything else stays text for a person to read.

export interface LengthRestriction {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/**
 * Restrictions from a datatype check name. Digit checks become a pattern only on attributes
 * that are not coded: on coded attributes the published check is often wrong for the code list
 * (statusNotifikasjon "Min 1 max 2 siffer" for codes N, M, T, C), so the code list governs.
 */
export function restrictionFromCheck(check: string, coded: boolean): LengthRestriction {
  let m = /^Streng max (\d+) tegn$/i.exec(check);
  if (m) return { maxLength: Number(m[1]) };
  m = /^Alfanumerisk min (\d+) max (\d+) tegn$/i.exec(check);
  if (m) return { minLength: Number(m[1]), maxLength: Number(m[2]) };
  if (coded) return {};
  m = /^Min (\d+) max (\d+) siffer$/i.exec(check);
  if (m) return { pattern: `^[0-9]{${m[1]},${m[2]}}$` };
  m = /^(\d+) siffer$/i.exec(check);
  if (m) return { pattern: `^[0-9]{${m[1]}}$` };
  return {};
}

const NUMBER_WORDS: Record<string, number> = { to: 2, tre: 3, fire: 4, fem: 5, seks: 6, sju: 7, syv: 7, åtte: 8, ni: 9, ti: 10 };

function countOf(word: string): number | undefined {
  return /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word.toLowerCase()];
}

/**
 * The codes a usage note accepts, or undefined when no note narrows the list. `published`
 * is the message's code list in published order.
 */
export function acceptFromNotes(notes: string[], published: string[]): { accept: string[]; because: string } | undefined {
  const text = notes.join('\n');
  // "Kun de tre første kodene og kode 9 er gyldige"
  let m = /Kun de (\S+) første kodene(?: og kode(?:ne)? ([\w ,]+?))? er gyldige/i.exec(text);
  if (m) {
    const n = countOf(m[1]);
    if (n === undefined) return undefined;
    const extra = m[2] ? m[2].split(/\s*(?:,|\bog\b)\s*/).filter(Boolean) : [];
    const accept = [...published.slice(0, n), ...extra.filter((c) => published.includes(c))];
    return { accept: [...new Set(accept)], because: m[0] };
  }
  // "Foreløpig skal ikke kode T 'KorrigerSuppler' benyttes"
  m = /skal ikke kode (\S+)(?: '[^']*')? benyttes/i.exec(text);
  if (m && published.includes(m[1])) {
    return { accept: published.filter((c) => c !== m![1]), because: m[0] };
  }
  return undefined;
}
