// A small DER writer and BER reader over Buffers, just what CMS sealing needs.
// The writer builds a tree and serialises it into one allocation, so a 10 MB payload is
// copied once rather than once per nesting level (node-forge's ASN.1 works on binary strings
// and is too slow for MB payloads). The reader is zero-copy (subarrays) and accepts BER
// (indefinite lengths, constructed strings) because peers such as openssl may emit it.

/** A node of the writer's tree: a tag and a body of raw bytes and/or child nodes. */
export interface DerNode {
  readonly tag: number;
  readonly body: ReadonlyArray<Buffer | DerNode>;
  /** Byte length of the body, computed once. */
  readonly bodyLength: number;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [0] constructed, context-specific. */
  CTX0: 0xa0,
  /** [1] constructed, context-specific. */
  CTX1: 0xa1,
  /** [0] primitive, context-specific. */
  CTX0_PRIMITIVE: 0x80,
} as const;

function lengthOfLength(n: number): number {
  if (n < 0x80) return 1;
  let bytes = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes++;
  return 1 + bytes;
}

function encodedSize(item: Buffer | DerNode): number {
  if (Buffer.isBuffer(item)) return item.length;
  return 1 + lengthOfLength(item.bodyLength) + item.bodyLength;
}

/** A node whose body is raw bytes (already-encoded children, or a primitive's content). */
export function node(tag: number, ...body: Array<Buffer | DerNode>): DerNode {
  let bodyLength = 0;
  for (const item of body) bodyLength += encodedSize(item);
  return { tag, body, bodyLength };
}

export const seq = (...body: Array<Buffer | DerNode>): DerNode => node(TAG.SEQUENCE, ...body);
export const set = (...body: Array<Buffer | DerNode>): DerNode => node(TAG.SET, ...body);
export const octets = (content: Buffer): DerNode => node(TAG.OCTET_STRING, content);
export const NULL_VALUE: Buffer = Buffer.from([TAG.NULL, 0]);

/** A small non-negative INTEGER (versions). */
export function smallInt(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0x7f) throw new RangeError(`smallInt out of range: ${n}`);
  return Buffer.from([TAG.INTEGER, 1, n]);
}

/** An OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) {
    throw new RangeError(`bad OID: ${dotted}`);
  }
  const bytes: number[] = [];
  const first = arcs[0] * 40 + arcs[1];
  for (const arc of [first, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(v % 128);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length; i++) bytes.push(groups[i] | (i < groups.length - 1 ? 0x80 : 0));
  }
  return toBuffer(node(TAG.OID, Buffer.from(bytes)));
}

/** Dotted form of an OID's content bytes. */
export function oidToString(content: Buffer): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 signingTime rule). */
export function time(date: Date): DerNode {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) + pad(date.getUTCHours()) + pad(date.getUTCMinutes()) + pad(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return node(TAG.UTC_TIME, Buffer.from(pad(y % 100) + rest, 'latin1'));
  return node(TAG.GENERALIZED_TIME, Buffer.from(pad(y, 4) + rest, 'latin1'));
}

/** Serialise a tree into one Buffer. */
export function toBuffer(root: Buffer | DerNode): Buffer {
  if (Buffer.isBuffer(root)) return root;
  const out = Buffer.allocUnsafe(encodedSize(root));
  const end = write(root, out, 0);
  if (end !== out.length) throw new Error('DER size mismatch');
  return out;
}

/**
 * The encoding of a tree as a sequence of chunks, without assembling it: large raw buffers are
 * yielded as they are (no copy), headers and small parts coalesced. Lets a cipher consume a
 * structure holding a 10 MB payload without first copying it into one buffer.
 */
export function* chunks(root: Buffer | DerNode, coalesceBelow = 16 * 1024): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  function* flush(): Generator<Buffer> {
    if (pendingLength > 0) yield pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLength);
    pending = [];
    pendingLength = 0;
  }
  function* walk(item: Buffer | DerNode): Generator<Buffer> {
    if (Buffer.isBuffer(item)) {
      if (item.length >= coalesceBelow) {
        yield* flush();
        yield item;
      } else {
        pending.push(item);
        pendingLength += item.length;
      }
      return;
    }
    const header = Buffer.allocUnsafe(1 + lengthOfLength(item.bodyLength));
    writeHeader(item, header, 0);
    pending.push(header);
    pendingLength += header.length;
    for (const child of item.body) yield* walk(child);
  }
  yield* walk(root);
  yield* flush();
}

function writeHeader(item: DerNode, out: Buffer, at: number): number {
  out[at++] = item.tag;
  const len = item.bodyLength;
  if (len < 0x80) out[at++] = len;
  else {
    const n = lengthOfLength(len) - 1;
    out[at++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) out[at++] = Math.floor(len / 256 ** i) % 256;
  }
  return at;
}

function write(item: Buffer | DerNode, out: Buffer, at: number): number {
  if (Buffer.isBuffer(item)) return at + item.copy(out, at);
  at = writeHeader(item, out, at);
  for (const child of item.body) at = write(child, out, at);
  return at;
}

// ---------------------------------------------------------------------------------------------
// Reader

/** One decoded element; all offsets index into `buf`. */
export interface Tlv {
  readonly buf: Buffer;
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  readonly constructed: boolean;
  readonly start: number;
  /** First content byte. */
  readonly contentStart: number;
  /** One past the last content byte (before an end-of-contents marker). */
  readonly contentEnd: number;
  /** One past the whole element, including any end-of-contents marker. */
  readonly end: number;
}

/** Raised for any structural problem; callers turn it into their own error type. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

const MAX_DEPTH = 64;

/** Read one element at `offset`. */
export function read(buf: Buffer, offset = 0, limit = buf.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  let at = offset;
  if (at >= limit) throw new DerError(`truncated at byte ${at}`);
  const tag = buf[at++];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag numbers are not supported (byte ${offset})`);
  const constructed = (tag & 0x20) !== 0;
  if (at >= limit) throw new DerError(`truncated length at byte ${at}`);
  const first = buf[at++];
  if (first === 0x80) {
    // Indefinite length: children until an end-of-contents marker (00 00).
    if (!constructed) throw new DerError(`indefinite length on a primitive (byte ${offset})`);
    const contentStart = at;
    for (;;) {
      if (at + 2 > limit) throw new DerError('missing end-of-contents');
      if (buf[at] === 0 && buf[at + 1] === 0) {
        return { buf, tag, constructed, start: offset, contentStart, contentEnd: at, end: at + 2 };
      }
      at = read(buf, at, limit, depth + 1).end;
    }
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 6) throw new DerError(`length too long (byte ${offset})`);
    len = 0;
    for (let i = 0; i < n; i++) {
      if (at >= limit) throw new DerError(`truncated length at byte ${at}`);
      len = len * 256 + buf[at++];
    }
  }
  const contentEnd = at + len;
  if (contentEnd > limit) throw new DerError(`element at byte ${offset} runs past its container`);
  return { buf, tag, constructed, start: offset, contentStart: at, contentEnd, end: contentEnd };
}

/** Read a whole buffer that must hold exactly one element. */
export function readAll(buf: Buffer): Tlv {
  const tlv = read(buf, 0);
  if (tlv.end !== buf.length) throw new DerError(`${buf.length - tlv.end} trailing bytes`);
  return tlv;
}

/** The children of a constructed element. */
export function children(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new DerError(`element at byte ${tlv.start} is not constructed`);
  const out: Tlv[] = [];
  let at = tlv.contentStart;
  while (at < tlv.contentEnd) {
    const child = read(tlv.buf, at, tlv.contentEnd);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The complete encoding of an element (a subarray, no copy). */
export const encoding = (tlv: Tlv): Buffer => tlv.buf.subarray(tlv.start, tlv.end);
/** The content bytes of a primitive element (a subarray, no copy). */
export const content = (tlv: Tlv): Buffer => tlv.buf.subarray(tlv.contentStart, tlv.contentEnd);

/** Expect a given identifier octet. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(`${what} is missing`);
  if (tlv.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)} at byte ${tlv.start}`);
  }
  return tlv;
}

/**
 * The bytes of an OCTET STRING (or an implicitly tagged one), primitive or constructed.
 * A constructed string is the concatenation of its segments (BER; forge and openssl stream
 * encryptedContent that way).
 */
export function octetValue(tlv: Tlv): Buffer {
  if (!tlv.constructed) return content(tlv);
  const parts = children(tlv).map((c) => octetValue(c));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** An OCTET STRING's bytes, primitive (DER) or constructed (BER, 0x24). */
export function readOctets(tlv: Tlv | undefined, what: string): Buffer {
  if (!tlv) throw new DerError(`${what} is missing`);
  if (tlv.tag !== TAG.OCTET_STRING && tlv.tag !== (TAG.OCTET_STRING | 0x20)) return octetValue(expectTag(tlv, TAG.OCTET_STRING, what));
  return octetValue(tlv);
}

/** The OID in dotted form, checking the tag. */
export function readOid(tlv: Tlv | undefined, what: string): string {
  return oidToString(content(expectTag(tlv, TAG.OID, what)));
}

/** A UTCTime or GeneralizedTime value. */
export function readTime(tlv: Tlv): Date {
  const s = content(tlv).toString('latin1');
  const m =
    tlv.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : tlv.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s)
        : null;
  if (!m) throw new DerError(`unreadable time value ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  if (tlv.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
