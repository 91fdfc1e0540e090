// Errors and review notes of the importer. An ImportError stops the import and names the
// file and what was unexpected; a Note is something the maintainer should look at after a
// successful import (a disagreement between two official documents, a guess the importer made).

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface Note {
  /** Where the note applies, e.g. `Barn_ungdom/@typeID` or `XPR(hst).docx.txt`. */
  where: string;
  message: string;
}

/** Collects notes in the order they are made. */
export class Notes {
  readonly list: Note[] = [];
  add(where: string, message: string): void {
    this.list.push({ where, message });
  }
}
