// The sandbox's chain rule on notifikasjonRef: an M or C must refer to the original N, as the
// only published rule says (IPLOS 56.0.0: "referansen skal alltid peke på en N 'Original'"),
// whether that N came in an earlier message or earlier in the same one.
import { expect, it } from 'vitest';
import { checkChain, CODES, type ChainView } from '../../runtime/sandbox/chain.ts';
import type { MeldingJson } from '../../runtime/sandbox/codec.ts';

const g = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const note = (i: number, status: string, ref?: number) => ({
  statusNotifikasjon: status,
  notifikasjonGUID: g(i),
  notifikasjonForrigeGUID: g(i - 1),
  notifikasjonLopeNr: String(i),
  ...(ref !== undefined && { notifikasjonRef: g(ref) }),
});
const melding = (...ns: ReturnType<typeof note>[]) => ({ Notifikasjon: ns }) as unknown as MeldingJson;

/** Accepted before: 1 an N, 2 an M referring to it. */
const view: ChainView = {
  sender: () => ({ chainHead: g(2), lastLopeNr: 2 }),
  hasNotification: (_h, guid) => guid === g(1) || guid === g(2),
  notificationStatus: (_h, guid) => (guid === g(1) ? 'N' : guid === g(2) ? 'M' : undefined),
};

it('accepts an M or C referring to the original N', () => {
  expect(checkChain(view, 'h', melding(note(3, 'M', 1), note(4, 'C', 1)))).toBeUndefined();
});

it('refuses an M or C referring to an M, from an earlier message or this one', () => {
  expect(checkChain(view, 'h', melding(note(3, 'M', 2)))).toMatchObject({ validationCode: CODES.ref, validationMessage: expect.stringContaining('is a M, not the original N') });
  expect(checkChain(view, 'h', melding(note(3, 'M', 1), note(4, 'C', 3)))).toMatchObject({ validationCode: CODES.ref });
});
