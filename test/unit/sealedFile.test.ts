import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBytes, openRange, sealBytes, sealedPlainLength, SEAL_CHUNK } from '../../main/core/vault/sealedFile.js';
import { changeCasePassword, createCaseKey, unlockCaseKey } from '../../main/core/vault/caseKey.js';

const key = randomBytes(32);

test('sealed files round-trip at every size around the chunk boundaries, and ranges read only what they ask', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-seal-'));
  try {
    for (const size of [0, 1, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1, 3 * SEAL_CHUNK + 17]) {
      const plain = randomBytes(size);
      const sealed = sealBytes(plain, key, 'derived/x.bin');
      if (size >= 32) assert.ok(!sealed.includes(plain.subarray(0, 32)), 'no plain bytes in the sealed file');
      assert.deepEqual(openBytes(sealed, key, 'derived/x.bin'), plain, `size ${size}`);
      const file = join(dir, `s${size}`);
      writeFileSync(file, sealed);
      assert.equal(await sealedPlainLength(file, key, 'derived/x.bin'), size);
      for (const [a, b] of [[0, 0], [SEAL_CHUNK - 2, SEAL_CHUNK + 2], [5, size + 100], [size - 1, size - 1]] as const) {
        if (a < 0 || a >= size) continue;
        assert.deepEqual(await openRange(file, key, 'derived/x.bin', a, b), plain.subarray(a, Math.min(b, size - 1) + 1), `size ${size} range ${a}-${b}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed, truncated, extended, renamed or foreign-key sealed file does not open', () => {
  const plain = randomBytes(2 * SEAL_CHUNK + 5);
  const sealed = sealBytes(plain, key, 'derived/thumbs/a.jpg');
  const flipped = Buffer.from(sealed);
  flipped[SEAL_CHUNK + 100]! ^= 1;
  assert.throws(() => openBytes(flipped, key, 'derived/thumbs/a.jpg'), /integrity/);
  assert.throws(() => openBytes(sealed.subarray(0, sealed.length - 1), key, 'derived/thumbs/a.jpg'), /integrity/);
  // Whole chunks cut off the end fail even with the declared length rewritten to match.
  const cut = Buffer.from(sealed.subarray(0, 32 + SEAL_CHUNK + 16));
  cut.writeBigUInt64LE(BigInt(SEAL_CHUNK), 24);
  assert.throws(() => openBytes(cut, key, 'derived/thumbs/a.jpg'), /integrity/);
  assert.throws(() => openBytes(Buffer.concat([sealed, Buffer.alloc(1)]), key, 'derived/thumbs/a.jpg'), /integrity/);
  assert.throws(() => openBytes(sealed, key, 'derived/thumbs/b.jpg'), /integrity/, 'a file moved to another name');
  assert.throws(() => openBytes(sealed, randomBytes(32), 'derived/thumbs/a.jpg'), /integrity/);
  assert.throws(() => openBytes(plain, key, 'derived/thumbs/a.jpg'), /integrity/, 'a plain file where a sealed one belongs');
});

test('the case key opens with its password only, and a new password re-wraps the same key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-key-'));
  try {
    const k = await createCaseKey(dir, 'correct horse');
    assert.equal(k.length, 32);
    const file = readFileSync(join(dir, 'case.key.json'), 'utf8');
    assert.ok(!file.includes(k.toString('base64')) && !file.includes(k.toString('hex')), 'the key is not stored in the clear');
    assert.deepEqual(await unlockCaseKey(dir, 'correct horse'), k);
    await assert.rejects(unlockCaseKey(dir, 'wrong'), (e: Error & { code?: string }) => e.code === 'CASE_PASSWORD_WRONG');
    await assert.rejects(unlockCaseKey(dir, undefined), (e: Error & { code?: string }) => e.code === 'CASE_PASSWORD_REQUIRED');
    await assert.rejects(createCaseKey(dir, 'again'), /EEXIST/, 'a case key is never replaced');
    await changeCasePassword(dir, 'correct horse', 'battery staple');
    assert.deepEqual(await unlockCaseKey(dir, 'battery staple'), k);
    await assert.rejects(unlockCaseKey(dir, 'correct horse'), (e: Error & { code?: string }) => e.code === 'CASE_PASSWORD_WRONG');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
