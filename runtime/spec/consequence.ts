// The receiver's consequence when a quality control fails (the specification's "Konsekvens"):
// a fact of the spec, read by the generator from the Word document and by the runtime from the
// generated schema. Defined once, here; the labels are the document's.

export type Consequence =
  | 'discard-message' // Slettemerk melding
  | 'discard-row' //     Slettemerk rad med underelementer
  | 'set-null' //        Sett verdi til NULL
  | 'set-minus-one' //   Sett verdi til -1
  | 'set-zero' //        Sett verdi til 0
  | 'none'; //           Ingen handling (the check is made and logged only)
