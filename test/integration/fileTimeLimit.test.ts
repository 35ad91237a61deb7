// One pathological file must not stall intake: an image that takes longer to decode than the
// per-file limit is recorded as 'timeout' and every other file is still processed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench } from '../../main/core/index.js';
import { decodeImage } from '../../main/core/media/imageDecoder.js';
import { astronautJpeg, testModelsDir } from '../helpers/fixtures.js';

test('an image slower to decode than the limit becomes a timeout record; the other files are processed', async () => {
  const work = mkdtempSync(join(tmpdir(), 'kestrel-slow-'));
  try {
    const ev = join(work, 'evidence');
    mkdirSync(ev);
    // 119 MP of one colour: a 0.4 MB PNG under the pixel limit that takes about a second to decode.
    const slow = await sharp({ create: { width: 10_900, height: 10_900, channels: 3, background: '#777' } }).png({ compressionLevel: 9 }).toBuffer();
    writeFileSync(join(ev, 'slow.png'), slow);
    for (let i = 0; i < 3; i++) writeFileSync(join(ev, `p${i}.jpg`), await astronautJpeg(300 + i * 10));
    // The limit is below the slow file's decoding time, far above a small photo's.
    const t0 = performance.now();
    const full = await decodeImage(slow, 'png');
    const slowMs = performance.now() - t0;
    assert.ok(full.ok && slowMs > 300, `the slow file decodes in ${Math.round(slowMs)} ms without a limit`);
    const wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir(), examiner: 't', decodeTimeoutMs: 150 });
    try {
      const s = await wb.ingest([ev], { examiner: 't' });
      assert.deepEqual(s.errors.map((e) => [e.path.split('/').pop(), e.reason]), [['slow.png', 'timeout']]);
      assert.match(s.errors[0]!.detail, /longer than 0.15 s|time limit/);
      assert.equal(s.faces, 3);
    } finally {
      await wb.dispose();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
