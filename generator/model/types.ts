// The one intermediate representation every phase after loading reads: a message
// specification (one message, one version) with its code lists. Names follow the official
// documents (class = XML element, attribute = XML attribute) so nobody has to translate.
//
// Every node keeps `at`, where it was written in the YAML, so that later phases (lint, diff,
// mapping checks) can point a person at the right line.

/** A place in a source file: 1-based line and column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** The receiver's consequence when a quality control fails: one definition, the runtime's. */
export type { Consequence } from '../../runtime/spec/consequence.ts';
import type { Consequence } from '../../runtime/spec/consequence.ts';

/** Attribute value types. `coded` values are strings drawn from a code list. */
export type AttributeType =
  | 'string'
  | 'date'
  | 'dateTime'
  | 'integer'
  | 'nonNegativeInteger'
  | 'guid'
  | 'coded'
  // JSON message types only (kind: json): JSON's own scalars, and RFC 3339 date-time with offset.
  | 'number'
  | 'boolean'
  | 'dateTimeOffset';

/**
 * Where a JSON message type's member comes from. `published`: the publisher's schema says so.
 * `inferred`: read off a sample message (a guess: the type, the presence and the limits of a
 * member cannot be known from one example). Every member of a JSON message type has one, so a
 * guess is never mistaken for a publication.
 */
export interface Provenance {
  status: 'published' | 'inferred';
  /** Id of the source in the spec's `sources`. */
  source: string;
  /** Why, or what was guessed. */
  note?: string;
  at?: SourcePos;
}

/** A document a JSON message type was transcribed or imported from. */
export interface SpecSource {
  id: string;
  kind: 'schema' | 'sample';
  /** Where it is: a URL, or `owner/repo:path`. */
  ref: string;
  description?: string;
  at: SourcePos;
}

/**
 * How an attribute is used in this message. The first three are the XSD's `use`; the last two
 * come from the per-message usage table (`*_C.docx.txt`): `ignored` (I: the receiver ignores it;
 * the XSD prohibits it) and `obligatory` (O: must be sent for this message although the
 * information model says 0..1; the XSD requires it).
 */
export type AttributeUse = 'required' | 'optional' | 'prohibited' | 'ignored' | 'obligatory';

/** One of the receiver's quality controls on an attribute. */
export type Control =
  | { kind: 'required'; consequence: Consequence; at?: SourcePos }
  | {
      kind: 'datatype';
      /** The official name of the check, e.g. "Streng max 100 tegn", "Dato". */
      check: string;
      /** The receiver's regular expression, where published. */
      regex?: string;
      consequence: Consequence;
      at?: SourcePos;
    }
  | {
      kind: 'code';
      /** XPath of the date on which the code must be valid, as published (e.g. /Melding/@uttakDato). */
      validOn?: string;
      consequence: Consequence;
      at?: SourcePos;
    }
  | {
      kind: 'range';
      /** XPath of the lower bound (value must be on or after it). */
      from?: string;
      /** XPath of the upper bound (value must be on or before it). */
      to?: string;
      consequence: Consequence;
      at?: SourcePos;
    };

export interface Attribute {
  name: string;
  /** Norwegian label from the information model, e.g. "Løpenummer". */
  label: string;
  type: AttributeType;
  use: AttributeUse;
  /** Code list number (Volven), for `coded`. */
  codelist?: string;
  /**
   * Codes of the code list published for this message, when the message's coding scheme lists
   * fewer than the shared list holds. Absent: all codes of the list.
   */
  codes?: string[];
  /**
   * Codes this message accepts, when the usage notes narrow the published list further
   * (e.g. typeID 9032: only 1, 2, 3 and 9 for HST). Validators enforce this set.
   */
  accept?: string[];
  fixed?: string;
  maxLength?: number;
  minLength?: number;
  /** A regular expression the value must match (ECMAScript and XSD compatible). */
  pattern?: string;
  description?: string;
  usage?: string;
  comment?: string;
  examples?: string[];
  /** Where the information model says this attribute came from, e.g. "NPR felt 64". */
  origin?: string;
  /** Comment in the usage table for this message (column *_c). */
  usageComment?: string;
  controls: Control[];
  // JSON message types only (kind: json).
  provenance?: Provenance;
  /** The member may be JSON null as well as absent (a `type` array with "null"). */
  nullable?: boolean;
  /** The values allowed, as JSON values (an inline `enum`, not a Volven code list). */
  enum?: (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /**
   * An identifier of this many digits sent as a JSON number (fødselsnummer: 11): a number has
   * no leading zeros, so readers must pad it back. The field reference warns.
   */
  digits?: number;
  at: SourcePos;
}

export interface ChildRef {
  class: string;
  min: number;
  /** `null` = unbounded. */
  max: number | null;
  /** JSON message types only: the member may be JSON null. */
  nullable?: boolean;
  /**
   * JSON message types only: whether the member must be present, when that differs from
   * `min > 0` (a required array that may be empty; an optional array that, when sent, holds
   * at least `min` items). Absent: required exactly when min > 0, as in XML.
   */
  required?: boolean;
  at: SourcePos;
}

/** An xs:unique or xs:key constraint: within the class, `selector` children are unique by `fields`. */
export interface Unique {
  name: string;
  selector: string;
  fields: string[];
  at: SourcePos;
}

/** An xs:keyref: values at `selector`/@fields must exist among the referred unique's values. */
export interface KeyRef {
  name: string;
  refer: string;
  selector: string;
  fields: string[];
  at: SourcePos;
}

export interface ClassDef {
  name: string;
  label: string;
  description?: string;
  usage?: string;
  comment?: string;
  examples?: string[];
  /** Attribute names forming the primary key in the information model ("Har primærnøkkel"). */
  primaryKey?: string[];
  /** Child elements in XSD sequence order. */
  children: ChildRef[];
  /** Attributes in XSD declaration order. */
  attributes: Attribute[];
  unique: Unique[];
  keyrefs: KeyRef[];
  /**
   * Child classes of which an instance holds exactly one (the information model's {XOR}, e.g.
   * IPLOS Notifikasjon's five events). Each is a 0..1 child; validators refuse zero or two.
   */
  exactlyOne?: string[];
  /** JSON message types only: where this object member comes from. */
  provenance?: Provenance;
  at: SourcePos;
}

export interface Code {
  code: string;
  text: string;
  comment?: string;
  validFrom?: string;
  validTo?: string;
  at: SourcePos;
}

export interface CodeList {
  /** Volven number, e.g. "9505". */
  number: string;
  name: string;
  oid: string;
  description?: string;
  codes: Code[];
  at: SourcePos;
}

/** What a JSON message type adds: FHI SLASH's name for it, the body's shape, the sources. */
export interface JsonMessageInfo {
  /** The type's official name, sent as `msg_type` (e.g. HST_Avtale); `version` is `msg_version`. */
  messageType: string;
  /** `array`: the body is a JSON array of root objects (FHI SLASH); `object`: one root object. */
  body: 'array' | 'object';
  /** The class one EPJ record becomes (the mapping's root, e.g. `avtale`); absent: the root's first array member. */
  record?: string;
  sources: SpecSource[];
}

/**
 * A message-level rule of the published text (the chapters before the information model, e.g.
 * IPLOS "Om status på notifikasjon"): the text quoted, and how the kit applies it.
 */
export interface MessageRule {
  /** Stable id: message, chapter number, rule number (IPLOS-5.2). */
  id: string;
  /** The chapter as numbered in the publication's table of contents. */
  chapter: string;
  title: string;
  /** The published text, word for word, shortened only with "…". */
  text: string;
  /** Rule ids of runtime/rules/catalogue.ts that enforce it; absent when not enforced. */
  enforcedBy?: string[];
  /** Why the kit does not enforce it; absent when enforced. */
  notEnforced?: string;
  note?: string;
  at: SourcePos;
}

export interface MessageSpec {
  /** `xml`: an XML message (the 2021 packages); `json`: a JSON message type (FHI SLASH). */
  kind: 'xml' | 'json';
  /** Present when kind is json. */
  json?: JsonMessageInfo;
  /** Short message id used in paths and references: `hst`, `iplos`, `hst-avtale`. */
  message: string;
  version: string;
  /** XML only: the XSD's version attribute ('' for JSON message types). */
  schemaVersion: string;
  /** XML only: the technical standard ('' for JSON message types). */
  standard: string;
  title: string;
  status: string;
  /** '' when not known (a JSON message type transcribed from a sample). */
  published: string;
  /** '' when not known. */
  validFrom: string;
  /** XML only ('' for JSON message types). */
  namespace: string;
  root: string;
  description?: string;
  /** Message-level rules of the published text, in document order ([] when none are carried). */
  rules: MessageRule[];
  /** Classes in document order; the root first. */
  classes: ClassDef[];
  /** The code lists this message refers to, by number. */
  codelists: Map<string, CodeList>;
  /** The YAML file it was loaded from. */
  file: string;
  at: SourcePos;
  /** Where each top-level field (version, published, …) was written. */
  metaAt: Record<string, SourcePos>;
}

/** `hst@56.0.0`: how commands and code name one message version. */
export function specId(spec: Pick<MessageSpec, 'message' | 'version'>): string {
  return `${spec.message}@${spec.version}`;
}

export function findClass(spec: MessageSpec, name: string): ClassDef | undefined {
  return spec.classes.find((c) => c.name === name);
}
