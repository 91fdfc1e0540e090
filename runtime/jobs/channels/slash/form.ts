// How a JSON message type carries one reporting unit's items: the list of current items, the
// delete list, the item's id and the member that dates it. FHI publishes the schemas only on its
// Swagger page, so this is read off its one public message (HST_Avtale 1: `avtale[]`,
// `slettAvtale[]` with `erSlettet`); a type whose fields are not public here (HST_Konsultasjon 1)
// has no form, and a configuration naming it is told so rather than guessed at.

export interface DeliveryForm {
  /** The unit object's list of current items (and the mapping's record class). */
  list: string;
  /** The unit object's list of deleted items: `{ <id>: …, <deletedFlag>: true }`. */
  deleteList: string;
  id: string;
  deletedFlag: string;
  /** The item's date-time member: its month is the period the item is delivered in. */
  time: string;
}

const FORMS: Readonly<Record<string, DeliveryForm>> = {
  'HST_Avtale@1': { list: 'avtale', deleteList: 'slettAvtale', id: 'avtaleId', deletedFlag: 'erSlettet', time: 'datoTid' },
};

export function deliveryForm(msgType: string, msgVersion: string): DeliveryForm {
  const f = FORMS[`${msgType}@${msgVersion}`];
  if (f) return f;
  throw new Error(
    `no delivery form is known for ${msgType} ${msgVersion}: its item list, delete list and id are not public here (known: ${Object.keys(FORMS).join(', ')}); add it to runtime/jobs/channels/slash/form.ts from FHI's schema`,
  );
}

/** One unit object's items as a receiver reads them: current ones with content, deleted ones marked. */
export function itemsOfUnit(form: DeliveryForm, unit: Record<string, unknown>): { id: string; deleted: boolean; content?: unknown }[] {
  const dels = (Array.isArray(unit[form.deleteList]) ? unit[form.deleteList] : []) as Record<string, unknown>[];
  const cur = (Array.isArray(unit[form.list]) ? unit[form.list] : []) as Record<string, unknown>[];
  return [
    ...dels.filter((d) => d[form.deletedFlag] === true).map((d) => ({ id: String(d[form.id]), deleted: true })),
    ...cur.map((c) => ({ id: String(c[form.id]), deleted: false, content: c })),
  ];
}
