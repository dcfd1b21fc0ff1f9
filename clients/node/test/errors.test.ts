// Every daemon error code maps to its own StickerdError subclass.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ErrorCode, QueueFull, StickerdError, UnknownStyle, UnsupportedText, fromError } from '../src';

test('each code has a distinct class carrying the code', () => {
  const classes = new Set<unknown>();
  for (const [name, value] of Object.entries(ErrorCode)) {
    if (name === 'OK') continue;
    const err = fromError({ code: name, message: 'm' }, 3);
    assert.ok(err instanceof StickerdError, name);
    assert.notEqual(err.constructor, StickerdError, name);
    assert.equal(err.code, value);
    assert.equal(err.codeName, name);
    assert.equal(err.requestId, 3);
    classes.add(err.constructor);
  }
  assert.equal(classes.size, Object.keys(ErrorCode).length - 1);
});

test('named classes and retryability', () => {
  assert.ok(fromError({ code: 'QUEUE_FULL', message: '' }) instanceof QueueFull);
  assert.ok(fromError({ code: 'UNKNOWN_STYLE', message: '' }) instanceof UnknownStyle);
  assert.equal(new QueueFull('x').retryable, true);
  assert.equal(new UnknownStyle('x').retryable, false);
  assert.ok(fromError({ code: 'UNSUPPORTED_TEXT', message: '' }) instanceof UnsupportedText);
  assert.equal(new UnsupportedText('x').retryable, false);
});

test('a code from a newer daemon is still a StickerdError', () => {
  const err = fromError({ code: '99', message: 'new' });
  assert.equal(err.constructor, StickerdError);
  assert.equal(err.code, 99);
});
