// A small incremental HTTP/1.1 response parser: status line, headers, then a body framed by content-length,
// chunked transfer-encoding, or the end of the connection. Pure: bytes in, state out; the socket lives elsewhere.

/** Parse outcome of one `execute` call. */
export const enum ParseResult {
  /** More bytes are needed. */
  More = 0,
  /** The response is complete; `leftover` holds any bytes after it. */
  Done = 1,
  /** The bytes are not valid HTTP/1.x; `error` says why. */
  Error = 2,
}

const enum S {
  Head,
  BodyLength,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyEof,
  Done,
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Incremental parser of one response at a time; `reset` prepares it for the next one on the same connection. */
export class ResponseParser {
  statusCode = 0;
  /** False when the server asked to close the connection (or spoke HTTP/1.0 without keep-alive). */
  keepAlive = true;
  /** Bytes of the whole response (head and body, framing included). */
  bytes = 0;
  /** Body bytes, concatenated on demand when `collectBody` was set. */
  bodyParts: Buffer[] = [];
  collectBody = false;
  /** Set on ParseResult.Error. */
  error = '';
  /** Bytes after the end of the response, on ParseResult.Done. */
  leftover: Buffer | null = null;
  /** Whether any byte of the response has arrived (for time to first byte). */
  started = false;
  /** The `location` header, when present. */
  location: string | undefined;
  /** The `set-cookie` headers, when present (for the VU's cookie jar). */
  setCookies: string[] | undefined;

  private state = S.Head;
  private head: Buffer | null = null;
  private remaining = 0;
  private sizeLine = '';
  private noBody = false;

  /** Prepares for a new response; `noBody` for HEAD requests, `collectBody` when a check or capture reads it. */
  reset(collectBody: boolean, noBody = false): void {
    this.statusCode = 0;
    this.keepAlive = true;
    this.bytes = 0;
    this.bodyParts = [];
    this.collectBody = collectBody;
    this.error = '';
    this.leftover = null;
    this.started = false;
    this.location = undefined;
    this.setCookies = undefined;
    this.state = S.Head;
    this.head = null;
    this.remaining = 0;
    this.sizeLine = '';
    this.noBody = noBody;
  }

  /** The collected body (empty unless collectBody). */
  body(): Buffer {
    return this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts);
  }

  /** Whether the body runs until the connection closes (then call `finishOnEof` at the end). */
  get readsUntilEof(): boolean {
    return this.state === S.BodyEof;
  }

  /** Completes a response whose body is delimited by the connection closing. */
  finishOnEof(): ParseResult {
    if (this.state === S.BodyEof) {
      this.state = S.Done;
      this.keepAlive = false;
      return ParseResult.Done;
    }
    this.error = 'connection closed before the response was complete';
    return ParseResult.Error;
  }

  /** Feeds bytes; returns whether the response is complete, needs more, or is malformed. */
  execute(chunk: Buffer): ParseResult {
    this.started = true;
    let buf = chunk;
    let pos = 0;
    while (pos < buf.length || this.state === S.Done) {
      switch (this.state) {
        case S.Head: {
          let data: Buffer;
          let searchFrom: number;
          if (this.head) {
            searchFrom = Math.max(0, this.head.length - 3);
            data = Buffer.concat([this.head, pos ? buf.subarray(pos) : buf]);
          } else {
            searchFrom = 0;
            data = pos ? buf.subarray(pos) : buf;
          }
          const end = data.indexOf(CRLFCRLF, searchFrom);
          if (end < 0) {
            if (data.length > MAX_HEAD_BYTES) return this.fail('response head larger than 64 KiB');
            this.head = this.head ? data : Buffer.from(data);
            this.bytes += buf.length - pos;
            return ParseResult.More;
          }
          const headLen = end + 4;
          const consumedFromBuf = headLen - (this.head ? this.head.length : 0);
          this.bytes += consumedFromBuf;
          const r = this.parseHead(data.toString("latin1", 0, end));
          this.head = null;
          if (r !== ParseResult.More) return r;
          buf = data;
          pos = headLen;
          if (this.statusCode < 200) {
            // 1xx interim response: skip it, the real one follows.
            this.state = S.Head;
            this.statusCode = 0;
            continue;
          }
          if ((this.state as S) === S.Done) {
            return this.done(buf, pos);
          }
          break;
        }
        case S.BodyLength: {
          const n = Math.min(this.remaining, buf.length - pos);
          this.take(buf, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) return this.done(buf, pos);
          break;
        }
        case S.ChunkSize: {
          const nl = buf.indexOf(10, pos);
          if (nl < 0) {
            this.sizeLine += buf.toString("latin1", pos);
            this.bytes += buf.length - pos;
            pos = buf.length;
            if (this.sizeLine.length > 1024) return this.fail('chunk size line too long');
            break;
          }
          this.sizeLine += buf.toString("latin1", pos, nl + 1);
          this.bytes += nl + 1 - pos;
          pos = nl + 1;
          const line = this.sizeLine.trim();
          this.sizeLine = '';
          const semi = line.indexOf(';');
          const hex = semi >= 0 ? line.slice(0, semi).trim() : line;
          if (!/^[0-9a-fA-F]+$/.test(hex)) return this.fail(`bad chunk size "${hex.slice(0, 20)}"`);
          const size = parseInt(hex, 16);
          if (size === 0) {
            this.state = S.Trailers;
          } else {
            this.remaining = size;
            this.state = S.ChunkData;
          }
          break;
        }
        case S.ChunkData: {
          const n = Math.min(this.remaining, buf.length - pos);
          this.take(buf, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = S.ChunkDataEnd;
            this.remaining = 2;
          }
          break;
        }
        case S.ChunkDataEnd: {
          // Expect CRLF after chunk data.
          const byte = buf[pos]!;
          if ((this.remaining === 2 && byte !== 13) || (this.remaining === 1 && byte !== 10)) {
            return this.fail('missing CRLF after chunk data');
          }
          pos += 1;
          this.bytes += 1;
          this.remaining -= 1;
          if (this.remaining === 0) this.state = S.ChunkSize;
          break;
        }
        case S.Trailers: {
          const nl = buf.indexOf(10, pos);
          if (nl < 0) {
            this.sizeLine += buf.toString("latin1", pos);
            this.bytes += buf.length - pos;
            pos = buf.length;
            if (this.sizeLine.length > MAX_HEAD_BYTES) return this.fail('trailers too long');
            break;
          }
          this.sizeLine += buf.toString("latin1", pos, nl + 1);
          this.bytes += nl + 1 - pos;
          pos = nl + 1;
          const line = this.sizeLine;
          this.sizeLine = '';
          if (line === '\r\n' || line === '\n') return this.done(buf, pos);
          break;
        }
        case S.BodyEof: {
          const n = buf.length - pos;
          this.take(buf, pos, n);
          pos += n;
          break;
        }
        case S.Done:
          return this.done(buf, pos);
      }
    }
    return ParseResult.More;
  }

  private take(buf: Buffer, pos: number, n: number): void {
    if (n <= 0) return;
    this.bytes += n;
    if (this.collectBody) this.bodyParts.push(Buffer.from(buf.subarray(pos, pos + n)));
  }

  private done(buf: Buffer, pos: number): ParseResult {
    this.state = S.Done;
    this.leftover = pos < buf.length ? buf.subarray(pos) : null;
    return ParseResult.Done;
  }

  private fail(message: string): ParseResult {
    this.error = message;
    return ParseResult.Error;
  }

  private parseHead(head: string): ParseResult {
    const firstEnd = head.indexOf('\r\n');
    const statusLine = firstEnd < 0 ? head : head.slice(0, firstEnd);
    // "HTTP/1.1 200 OK"
    if (!statusLine.startsWith('HTTP/1.') || statusLine.length < 12 || statusLine[8] !== ' ') {
      return this.fail(`bad status line "${statusLine.slice(0, 40)}"`);
    }
    const code = Number(statusLine.slice(9, 12));
    if (!Number.isInteger(code) || code < 100 || code > 999) return this.fail(`bad status code in "${statusLine.slice(0, 40)}"`);
    this.statusCode = code;
    const http10 = statusLine[7] === '0';
    let keepAlive = !http10;
    let contentLength = -1;
    let chunked = false;
    let p = firstEnd < 0 ? head.length : firstEnd + 2;
    while (p < head.length) {
      let e = head.indexOf('\r\n', p);
      if (e < 0) e = head.length;
      const colon = head.indexOf(':', p);
      if (colon > p && colon < e) {
        const nameLen = colon - p;
        if (nameLen === 14 || nameLen === 17 || nameLen === 10 || nameLen === 8) {
          const name = head.slice(p, colon).toLowerCase();
          const value = head.slice(colon + 1, e).trim();
          if (name === 'content-length') {
            if (!/^\d+$/.test(value)) return this.fail(`bad content-length "${value.slice(0, 20)}"`);
            const n = Number(value);
            if (contentLength >= 0 && n !== contentLength) return this.fail('conflicting content-length headers');
            contentLength = n;
          } else if (name === 'transfer-encoding') {
            if (value.toLowerCase().split(',').map((s) => s.trim()).includes('chunked')) chunked = true;
          } else if (name === 'connection') {
            const v = value.toLowerCase();
            if (v.includes('close')) keepAlive = false;
            else if (v.includes('keep-alive')) keepAlive = true;
          } else if (name === 'location') this.location = value;
          else if (name === 'set-cookie') (this.setCookies ??= []).push(value);
        }
      } else if (e > p) {
        return this.fail('malformed header line');
      }
      p = e + 2;
    }
    this.keepAlive = keepAlive;
    if (code < 200) return ParseResult.More;
    if (this.noBody || code === 204 || code === 304) {
      this.state = S.Done;
    } else if (chunked) {
      this.state = S.ChunkSize;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? S.Done : S.BodyLength;
    } else {
      this.state = S.BodyEof;
      this.keepAlive = false;
    }
    return ParseResult.More;
  }
}
