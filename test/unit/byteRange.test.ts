import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestedRange } from '../../main/core/index.js';

test('a Range header becomes the byte span a video element asks for', () => {
  assert.deepEqual(requestedRange('bytes=0-', 1000), { start: 0, end: 999 });
  assert.deepEqual(requestedRange('bytes=100-199', 1000), { start: 100, end: 199 });
  assert.deepEqual(requestedRange('bytes=900-5000', 1000), { start: 900, end: 999 }, 'an end past the file is cut to the file');
  assert.deepEqual(requestedRange('bytes=-100', 1000), { start: 900, end: 999 }, 'a suffix range is the last n bytes');
  assert.deepEqual(requestedRange('bytes=-5000', 1000), { start: 0, end: 999 });
});

test('no header, or a form not supported, serves the whole file; a start past the end cannot be met', () => {
  for (const h of [null, undefined, '', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=0-1,5-9', 'bytes=x-1', 'bytes=5-2'])
    assert.equal(requestedRange(h, 1000), null, String(h));
  assert.equal(requestedRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(requestedRange('bytes=-0', 1000), 'unsatisfiable');
  assert.equal(requestedRange('bytes=0-', 0), 'unsatisfiable');
});
