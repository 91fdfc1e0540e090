// The one error type of the XML codecs (generated `toXml`/`fromXml`): it says where in the
// JSON form (a JSON pointer such as /Notifikasjon/0/Konsultasjon/3/Barn_ungdom/fid) or where in
// the XML (element path, line and column) the problem is, so an operator can find the record.

export class XmlCodecError extends Error {
  override name = 'XmlCodecError';
  /** JSON pointer into the Melding (relative to the root object; '' for the root itself). */
  path: string;
  /** The XML attribute concerned, when there is one. */
  attribute?: string;
  /** 1-based line and column in the XML, for parse errors. */
  line?: number;
  column?: number;
  /** The problem without the location, e.g. `contains U+0001, which XML 1.0 cannot carry`. */
  readonly detail: string;

  constructor(detail: string, opts: { path?: string; attribute?: string; line?: number; column?: number } = {}) {
    super(detail);
    this.detail = detail;
    this.path = opts.path ?? '';
    this.attribute = opts.attribute;
    this.line = opts.line;
    this.column = opts.column;
    this.message = this.describe();
  }

  /** Rebuild the message after the path has grown (errors are raised deep and located on the way up). */
  describe(): string {
    const where = this.line !== undefined ? `line ${this.line}, column ${this.column}: ` : '';
    return `${where}${this.path || '/'}: ${this.detail}`;
  }
}
