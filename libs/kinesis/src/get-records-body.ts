/**
 * Reads a GetRecords response body (JSON) without parsing it whole: each record's data stays where it is in the body
 * until someone asks for it. JSON.parse of a page built a ~1.4 KB base64 string per record that the archiver never
 * read (DuckDB reads the data from the body's file), so a page took ~4x its body in memory while it was parsed;
 * read in place, ~1.5x (docs/archiver.md "Reading pages"; the CPU is about the same). What is read is checked as
 * JSON.parse would check it: a body that is not the JSON it should be is refused, never half-read.
 */

/** A record of a GetRecords response as it is on the wire: data still base64, arrival in epoch seconds. */
export interface WireRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  /** base64 */
  readonly Data: string;
  PartitionKey: string;
}

const QUOTE = 0x22;
/** The fields of a record this reads (of different lengths: the length alone says which one a key can be). */
const FIELDS = ['Data', 'SequenceNumber', 'PartitionKey', 'ApproximateArrivalTimestamp'] as const;
/** JSON's number grammar: what Number() reads as JSON.parse does. */
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const BACKSLASH = 0x5c;

/** Bytes `length` characters of base64 decode to, given whether it ends in one or two `=`. */
const decodedLength = (length: number, padding: number) => Math.floor(length / 4) * 3 + (length % 4 === 0 ? 0 : (length % 4) - 1) - padding;

/** A record whose base64 data is a span of the response body, read on first use. */
export class ScannedRecord implements WireRecord {
  private data: string | undefined;
  /** Where the record's JSON object starts and ends in the body, and its position in the page's records. */
  objectStart = 0;
  objectEnd = 0;
  index = 0;

  constructor(
    readonly SequenceNumber: string,
    readonly ApproximateArrivalTimestamp: number,
    readonly PartitionKey: string,
    readonly body: Buffer,
    private readonly dataStart: number,
    private readonly dataEnd: number,
    /** the data as a string already (it had escapes in the JSON) */
    data?: string,
  ) {
    this.data = data;
  }

  get Data(): string {
    return (this.data ??= this.body.toString('utf8', this.dataStart, this.dataEnd));
  }

  /** Bytes the data decodes to, without reading it. */
  get dataBytes(): number {
    if (this.data !== undefined) return base64DecodedBytes(this.data);
    const { body, dataStart: start, dataEnd: end } = this;
    const padding = end - start >= 2 && body[end - 1] === 0x3d ? (body[end - 2] === 0x3d ? 2 : 1) : 0;
    return decodedLength(end - start, padding);
  }

  /** Whether the base64 data starts with `prefix` (ASCII), without reading it. */
  dataStartsWith(prefix: string): boolean {
    if (this.data !== undefined) return this.data.startsWith(prefix);
    if (this.dataEnd - this.dataStart < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (this.body[this.dataStart + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  /** As the record is in the body (JSON.stringify and spreading see no getters). */
  toJSON(): { SequenceNumber: string; ApproximateArrivalTimestamp: number; Data: string; PartitionKey: string } {
    return { SequenceNumber: this.SequenceNumber, ApproximateArrivalTimestamp: this.ApproximateArrivalTimestamp, Data: this.Data, PartitionKey: this.PartitionKey };
  }
}

/** Bytes a base64 string decodes to. */
export function base64DecodedBytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return decodedLength(text.length, padding);
}

/** Bytes a wire record's data decodes to (without reading a scanned record's data). */
export const wireDataBytes = (r: WireRecord): number => (r instanceof ScannedRecord ? r.dataBytes : base64DecodedBytes(r.Data));

/**
 * The records' JSON objects as they are in their response body, one after another with whitespace between (what
 * DuckDB's read_json reads as one row per object), without copying them: a span of the body, when the records are
 * a run of consecutive records of one scanned page; otherwise undefined (write them out instead). Reading this
 * instead of the page's `Records` array halved the CPU of the archiver's COPY: DuckDB parsed one 10,000-element list
 * per page and unnested it on one thread (docs/archiver.md "Reading pages").
 */
export function wireRecordsText(records: readonly WireRecord[]): Buffer | undefined {
  const first = records[0];
  if (!(first instanceof ScannedRecord)) return undefined;
  for (let i = 1; i < records.length; i++) {
    const r = records[i];
    if (!(r instanceof ScannedRecord) || r.body !== first.body || r.index !== first.index + i) return undefined;
  }
  return first.body.subarray(first.objectStart, (records[records.length - 1] as ScannedRecord).objectEnd);
}

/** Whether a wire record's base64 data starts with `prefix` (without reading a scanned record's data). */
export const wireDataStartsWith = (r: WireRecord, prefix: string): boolean => (r instanceof ScannedRecord ? r.dataStartsWith(prefix) : r.Data.startsWith(prefix));

const invalid = (why: string, at: number) => new SyntaxError(`GetRecords response is not valid JSON: ${why} at byte ${at}`);
const badRecord = () => new TypeError('GetRecords response: a record lacks SequenceNumber, ApproximateArrivalTimestamp, Data or PartitionKey');

class Scanner {
  pos = 0;
  /** The last string read: its content's span, and whether it has escapes (then only JSON.parse reads it right). */
  start = 0;
  end = 0;
  escaped = false;
  /** The next backslash at or after `pos` (or -1: none): found once, so strings without escapes are read by memchr. */
  private backslash: number;

  constructor(readonly body: Buffer) {
    this.backslash = body.indexOf(BACKSLASH);
  }

  ws(): number {
    const { body } = this;
    let c = body[this.pos];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = body[++this.pos];
    return c;
  }

  expect(char: number): void {
    if (this.ws() !== char) throw invalid(`expected '${String.fromCharCode(char)}'`, this.pos);
    this.pos++;
  }

  /** After '[' or '{' (and a first element): true when another element follows, false at `close`. */
  more(close: number): boolean {
    const c = this.ws();
    this.pos++;
    if (c === 0x2c) return true;
    if (c === close) return false;
    throw invalid(`expected ',' or '${String.fromCharCode(close)}'`, this.pos - 1);
  }

  /** Whether the container opened just now is empty (and if so, steps past its close). */
  empty(close: number): boolean {
    if (this.ws() !== close) return false;
    this.pos++;
    return true;
  }

  /** Steps over a string, leaving its span in start, end and escaped. */
  string(): void {
    this.expect(QUOTE);
    const { body } = this;
    const start = this.pos;
    const end = body.indexOf(QUOTE, start);
    if (end < 0) throw invalid('unterminated string', start);
    this.start = start;
    if (this.backslash < 0 || this.backslash > end) {
      this.pos = end + 1;
      this.end = end;
      this.escaped = false;
      return;
    }
    // Escapes: walk to the quote that ends the string, then find the next backslash after it.
    let i = start;
    for (;;) {
      const c = body[i];
      if (c === undefined) throw invalid('unterminated string', start);
      if (c === BACKSLASH) i += 2;
      else if (c === QUOTE) break;
      else i++;
    }
    this.pos = i + 1;
    this.end = i;
    this.escaped = true;
    this.backslash = body.indexOf(BACKSLASH, this.pos);
  }

  /** The last string read, as JSON.parse reads it. */
  text(): string {
    const { body, start, end } = this;
    if (this.escaped) return JSON.parse(body.toString('utf8', start - 1, end + 1)) as string;
    // JSON.parse refuses raw control characters in strings; so does this
    for (let i = start; i < end; i++) if (body[i] < 0x20) throw invalid('control character in string', i);
    return body.toString('utf8', start, end);
  }

  /** A number, true, false or null: its text up to the next delimiter. */
  scalar(): unknown {
    const { body } = this;
    const start = this.pos;
    let c = body[this.pos];
    while (c !== undefined && c !== 0x2c && c !== 0x7d && c !== 0x5d && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) c = body[++this.pos];
    if (this.pos === start) throw invalid('expected a value', start);
    const text = body.toString('latin1', start, this.pos);
    // A plain number (the arrival time of every record) without JSON.parse; anything else as JSON.parse reads it.
    return NUMBER.test(text) ? Number(text) : (JSON.parse(text) as unknown);
  }

  /** Steps over any value. */
  skip(): void {
    const c = this.ws();
    if (c === QUOTE) {
      this.string();
    } else if (c === 0x7b) {
      this.pos++;
      if (this.empty(0x7d)) return;
      do {
        this.string();
        this.expect(0x3a);
        this.skip();
      } while (this.more(0x7d));
    } else if (c === 0x5b) {
      this.pos++;
      if (this.empty(0x5d)) return;
      do this.skip();
      while (this.more(0x5d));
    } else {
      this.scalar();
    }
  }

  /**
   * Which of a record's fields the last string read names (undefined: another key). Compared in place: a string per
   * key of every record cost more than the rest of the scan.
   */
  field(): string | undefined {
    if (this.escaped) return this.text();
    const { body, start } = this;
    const length = this.end - start;
    for (const name of FIELDS) {
      if (name.length !== length) continue;
      let i = 0;
      while (i < length && body[start + i] === name.charCodeAt(i)) i++;
      return i === length ? name : undefined;
    }
    return undefined;
  }

  record(): ScannedRecord {
    this.expect(0x7b);
    const objectStart = this.pos - 1;
    let sequenceNumber: string | undefined;
    let arrival: unknown;
    let partitionKey: string | undefined;
    let dataStart = -1;
    let dataEnd = -1;
    let data: string | undefined;
    if (!this.empty(0x7d)) {
      do {
        this.string();
        const key = this.field();
        this.expect(0x3a);
        const c = this.ws();
        if (key === 'Data' && c === QUOTE) {
          this.string();
          dataStart = this.start;
          dataEnd = this.end;
          // The data is not checked byte by byte: DuckDB's from_base64 refuses anything but base64 when it reads it.
          data = this.escaped ? this.text() : undefined;
        } else if (key === 'SequenceNumber' && c === QUOTE) {
          this.string();
          sequenceNumber = this.text();
        } else if (key === 'PartitionKey' && c === QUOTE) {
          this.string();
          partitionKey = this.text();
        } else if (key === 'ApproximateArrivalTimestamp' && c !== QUOTE && c !== 0x7b && c !== 0x5b) {
          arrival = this.scalar();
        } else if (key === 'Data' || key === 'SequenceNumber' || key === 'PartitionKey' || key === 'ApproximateArrivalTimestamp') {
          throw badRecord();
        } else {
          this.skip();
        }
      } while (this.more(0x7d));
    }
    if (sequenceNumber === undefined || typeof arrival !== 'number' || partitionKey === undefined || dataStart < 0) throw badRecord();
    const record = new ScannedRecord(sequenceNumber, arrival, partitionKey, this.body, dataStart, dataEnd, data);
    record.objectStart = objectStart;
    record.objectEnd = this.pos;
    return record;
  }
}

/**
 * The records of a GetRecords response body, their data left in the body, and the rest of the response (the
 * envelope: NextShardIterator, MillisBehindLatest, ChildShards…) as JSON without them, for the SDK's deserializer.
 * Once the body is read, the commas between its records become newlines, in place: the records' objects are then
 * JSON values one after another (wireRecordsText), and the body is no longer the response's JSON.
 */
export function scanGetRecords(body: Buffer): { records: ScannedRecord[]; envelope: string } {
  const s = new Scanner(body);
  const records: ScannedRecord[] = [];
  let span: [number, number] | undefined;
  s.expect(0x7b);
  if (!s.empty(0x7d)) {
    do {
      s.string();
      const key = s.escaped ? s.text() : body.toString('latin1', s.start, s.end);
      s.expect(0x3a);
      if (key === 'Records') {
        if (span) throw invalid('Records twice', s.pos);
        const start = s.pos;
        if (s.ws() !== 0x5b) throw new TypeError('GetRecords response: Records is not an array');
        s.pos++;
        if (!s.empty(0x5d)) {
          do {
            const r = s.record();
            r.index = records.length;
            records.push(r);
          } while (s.more(0x5d));
        }
        span = [start, s.pos];
      } else {
        s.skip();
      }
    } while (s.more(0x7d));
  }
  if (s.ws() !== undefined) throw invalid('unexpected data after the response', s.pos);
  const envelope = span ? `${body.toString('utf8', 0, span[0])}[]${body.toString('utf8', span[1])}` : body.toString('utf8');
  // Between two records only whitespace and one comma (checked above): the comma goes.
  for (let i = 1; i < records.length; i++) {
    const comma = body.indexOf(0x2c, records[i - 1].objectEnd);
    body[comma] = 0x0a;
  }
  return { records, envelope };
}
