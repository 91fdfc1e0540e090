// What the generated codec tells the reader about its message (the shape tables), and the one
// conversion both reading paths share, so they cannot disagree on what an integer is.

export type AttributeKind = 'string' | 'integer';

export interface ClassShape {
  /** Attributes the JSON form has, in spec order, with how their value is read. */
  attributes: readonly (readonly [name: string, kind: AttributeKind])[];
  /** Attributes the XSD declares but this message does not send (prohibited or ignored). */
  unused?: readonly string[];
  /** Child elements in XSD sequence order; `true` where the JSON form holds an array. */
  children: readonly (readonly [element: string, array: boolean])[];
}

export interface MessageShape {
  namespace: string;
  root: string;
  classes: Readonly<Record<string, ClassShape>>;
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
// xsi:schemaLocation and friends are allowed (validators add them) and not kept.
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

const XSD_INTEGER = /^[+-]?[0-9]+$/;

/** An integer attribute's value as a number, or undefined when it is not an XSD integer within 2^53-1. */
export function xsdInteger(value: string): number | undefined {
  const t = value.trim();
  const n = Number(t);
  return XSD_INTEGER.test(t) && Number.isSafeInteger(n) ? n : undefined;
}
