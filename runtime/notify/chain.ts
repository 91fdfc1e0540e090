// The notification chain: every Notifikasjon gets a new GUID, points at the previous one with
// notifikasjonForrigeGUID, and carries a strictly increasing notifikasjonLopeNr. The chain is
// global per sender and continues across runs from the store's head. The first notification
// ever points at the nil GUID (00000000-0000-0000-0000-000000000000): the receiver has nothing
// to compare it with (the sandbox does not check the first link).
import { randomUUID } from 'node:crypto';

/** notifikasjonForrigeGUID of the very first notification a sender sends (documented convention). */
export const NIL_GUID = '00000000-0000-0000-0000-000000000000';

export interface ChainLink {
  guid: string;
  forrigeGuid: string;
  lopeNr: number;
}

export class ChainBuilder {
  constructor(
    private headGuid: string,
    private lopeNr: number,
    private readonly newGuid: () => string = randomUUID,
  ) {}

  next(): ChainLink {
    const link = { guid: this.newGuid(), forrigeGuid: this.headGuid, lopeNr: this.lopeNr + 1 };
    this.headGuid = link.guid;
    this.lopeNr = link.lopeNr;
    return link;
  }

  /** Moves the head back (links handed out but never built: their records were held back). */
  rewind(head: { guid: string; lopeNr: number }): void {
    this.headGuid = head.guid;
    this.lopeNr = head.lopeNr;
  }

  get head(): { guid: string; lopeNr: number } {
    return { guid: this.headGuid, lopeNr: this.lopeNr };
  }
}

/**
 * The receiver's side of the same rule: why `link` cannot follow `head` (the last notification
 * it accepted from the sender; nulls before the first), or undefined when it can. The first
 * notification a sender ever sends has nothing to point back to.
 */
export function chainBreak(head: { guid: string | null; lopeNr: number | null }, link: { forrigeGuid: string; lopeNr: number }): 'forrigeGuid' | 'lopeNr' | undefined {
  if (head.guid !== null && link.forrigeGuid !== head.guid) return 'forrigeGuid';
  if (!Number.isSafeInteger(link.lopeNr) || (head.lopeNr !== null && link.lopeNr <= head.lopeNr)) return 'lopeNr';
  return undefined;
}

/** An M, T or C refers to the consultation's original N ("referansen skal alltid peke på en N 'Original'"). */
export function refersToOriginal(status: string): boolean {
  return status !== 'N';
}

/** What a reference may point at: an N, the consultation's original. */
export function isOriginal(status: string): boolean {
  return status === 'N';
}
