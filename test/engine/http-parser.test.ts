import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseResult, ResponseParser } from '../../src/engine/http-parser.ts';

/** Feeds `raw` to a fresh parser in pieces of `size` bytes; returns the parser and the last result. */
function feed(raw: string, size: number, opts: { head?: boolean; eof?: boolean } = {}) {
  const p = new ResponseParser();
  p.reset(true, opts.head ?? false);
  const bytes = Buffer.from(raw, 'latin1');
  let r = ParseResult.More;
  for (let i = 0; i < bytes.length && r === ParseResult.More; i += size) {
    r = p.execute(bytes.subarray(i, i + size));
  }
  if (r === ParseResult.More && opts.eof) r = p.finishOnEof();
  return { p, r };
}

const cases: Array<{ name: string; raw: string; status: number; body: string; keepAlive: boolean; head?: boolean; eof?: boolean }> = [
  { name: 'content-length body', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', status: 200, body: 'hello', keepAlive: true },
  { name: 'empty content-length', raw: 'HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n', status: 201, body: '', keepAlive: true },
  { name: 'chunked body with extension and trailer', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n', status: 200, body: 'hello world', keepAlive: true },
  { name: 'chunked with hex sizes', raw: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n', status: 200, body: '0123456789', keepAlive: true },
  { name: 'connection close', raw: 'HTTP/1.1 503 Unavailable\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno', status: 503, body: 'no', keepAlive: false },
  { name: '204 without body', raw: 'HTTP/1.1 204 No Content\r\n\r\n', status: 204, body: '', keepAlive: true },
  { name: 'HEAD response ignores content-length', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', status: 200, body: '', keepAlive: true, head: true },
  { name: '100 continue before the response', raw: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', status: 200, body: 'ok', keepAlive: true },
  { name: 'body until close (HTTP/1.0)', raw: 'HTTP/1.0 200 OK\r\n\r\nuntil the end', status: 200, body: 'until the end', keepAlive: false, eof: true },
];

for (const c of cases) {
  test(`the parser reads a ${c.name} whole and in every split`, () => {
    for (const size of [1, 2, 3, 5, 7, 16, 1000]) {
      const { p, r } = feed(c.raw, size, { head: c.head, eof: c.eof });
      assert.equal(r, ParseResult.Done, `split ${size}: ${p.error}`);
      assert.equal(p.statusCode, c.status, `split ${size}`);
      assert.equal(p.body().toString('latin1'), c.body, `split ${size}`);
      assert.equal(p.keepAlive, c.keepAlive, `split ${size}`);
      assert.equal(p.bytes, Buffer.byteLength(c.raw, 'latin1'), `split ${size} byte count`);
    }
  });
}

const bad: Array<{ name: string; raw: string; message: RegExp }> = [
  { name: 'a status line that is not HTTP', raw: 'SSH-2.0-OpenSSH\r\n\r\n', message: /bad status line/ },
  { name: 'a non-numeric content-length', raw: 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n', message: /content-length/ },
  { name: 'a bad chunk size', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', message: /chunk size/ },
  { name: 'chunk data without CRLF', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', message: /CRLF/ },
];
for (const c of bad) {
  test(`the parser rejects ${c.name}`, () => {
    for (const size of [1, 4, 1000]) {
      const { p, r } = feed(c.raw, size);
      assert.equal(r, ParseResult.Error, `split ${size}`);
      assert.match(p.error, c.message);
    }
  });
}

test('the parser keeps bytes after a complete response as leftover', () => {
  const p = new ResponseParser();
  p.reset(false);
  const r = p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1'));
  assert.equal(r, ParseResult.Done);
  assert.equal(p.leftover?.toString(), 'HTTP/1.1');
});

test('the parser does not keep the body when no check needs it', () => {
  const p = new ResponseParser();
  p.reset(false);
  assert.equal(p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc')), ParseResult.Done);
  assert.equal(p.body().length, 0);
  assert.equal(p.bytes, 41);
});

test('a response closed before its end is an error, not a success', () => {
  const { p, r } = feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 4);
  assert.equal(r, ParseResult.More);
  assert.equal(p.finishOnEof(), ParseResult.Error);
});
