// Code lists as the importer writes them (spec/codelists/<number>.yaml): what one message
// publishes, and the merge with the shared file already on disk. A shared list holds the
// union of codes across messages; where a message publishes a code with another text or
// comment than the shared list, the message keeps its own copy of the list in its file
// (`codelists:`), so neither publication is misquoted.
import type { CodingScheme } from './coding-schemes.ts';

export interface CodeEntry {
  code: string;
  text: string;
  comment?: string;
  validFrom?: string;
  validTo?: string;
}

export interface CodeListFile {
  number: string;
  name: string;
  oid: string;
  description?: string;
  codes: CodeEntry[];
}

export const VOLVEN_OID_PREFIX = '2.16.578.1.12.4.1.1.';

export function fromScheme(s: CodingScheme): CodeListFile {
  return {
    number: s.number,
    name: s.name,
    oid: VOLVEN_OID_PREFIX + s.number,
    codes: s.codes.map((c) => (c.comment ? { code: c.code, text: c.text, comment: c.comment } : { code: c.code, text: c.text })),
  };
}

export interface MergeResult {
  /** The shared list to write. */
  shared: CodeListFile;
  /** Codes whose text or comment in this message differs from the shared list. */
  conflicts: { code: string; shared: CodeEntry; message: CodeEntry }[];
  /** Codes this message adds to the shared list. */
  added: string[];
  nameDiffers: boolean;
}

/** Union of `existing` (kept as written, in its order) and the message's codes (appended). */
export function mergeCodeList(existing: CodeListFile | undefined, published: CodeListFile): MergeResult {
  if (!existing) return { shared: published, conflicts: [], added: published.codes.map((c) => c.code), nameDiffers: false };
  const shared: CodeListFile = { ...existing, codes: [...existing.codes] };
  const conflicts: MergeResult['conflicts'] = [];
  const added: string[] = [];
  for (const c of published.codes) {
    const have = shared.codes.find((e) => e.code === c.code);
    if (!have) {
      shared.codes.push(c);
      added.push(c.code);
    } else if (have.text !== c.text || (have.comment ?? '') !== (c.comment ?? '')) {
      conflicts.push({ code: c.code, shared: have, message: c });
    }
  }
  return { shared, conflicts, added, nameDiffers: existing.name !== published.name };
}
