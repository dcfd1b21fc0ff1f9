// The frame codec against bytes worked out by hand (no daemon needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FrameDecoder, FrameTooLargeError, decodeReply, encodeFrame, encodeRequest } from '../src';

test('header is the little-endian payload length', () => {
  assert.deepEqual(encodeFrame(Buffer.from('abc')), Buffer.from('03000000616263', 'hex'));
  assert.deepEqual(encodeFrame(Buffer.alloc(258)).subarray(0, 4), Buffer.from('02010000', 'hex'));
});

test('a render request encodes to the documented bytes', () => {
  const payload = encodeRequest({ id: 1, render: { text: 'hi', styleId: 'classic' } });
  // 08 01 | 12 0d | 0a 02 "hi" | 12 07 "classic"  (the example in docs/PROTOCOL.md)
  assert.equal(Buffer.from(payload).toString('hex'), '0801120d0a0268691207' + Buffer.from('classic').toString('hex'));
});

test('frames split at every byte and many per chunk', () => {
  const payloads = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('hello world'), Buffer.alloc(700, 7)];
  const stream = Buffer.concat(payloads.map(encodeFrame));
  for (const chunk of [1, 2, 3, 5, 7, stream.length]) {
    const dec = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += chunk) {
      dec.push(stream.subarray(i, i + chunk));
      for (const f of dec.frames()) out.push(Buffer.from(f));
    }
    assert.deepEqual(out, payloads, `chunk ${chunk}`);
    assert.equal(dec.buffered, 0);
  }
});

test('a frame over the maximum poisons the decoder', () => {
  const dec = new FrameDecoder(10);
  dec.push(encodeFrame(Buffer.alloc(10)));
  assert.equal([...dec.frames()].length, 1);
  dec.push(Buffer.from('0b000000', 'hex'));
  assert.throws(() => [...dec.frames()], FrameTooLargeError);
  dec.push(encodeFrame(Buffer.from('ok')));
  assert.throws(() => [...dec.frames()], FrameTooLargeError);
});

test('replies decode with enum names and numeric ids', () => {
  // Reply{id: 7, error{code: QUEUE_FULL, message: "full"}}
  const reply = decodeReply(Buffer.from('0807' + '1a08' + '0804' + '1204' + Buffer.from('full').toString('hex'), 'hex'));
  assert.equal(reply.id, 7);
  assert.equal(reply.body, 'error');
  assert.deepEqual(reply.error, { code: 'QUEUE_FULL', message: 'full' });
});
