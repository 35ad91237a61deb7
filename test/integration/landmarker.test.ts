import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench } from '../../main/core/index.js';
import { ModelStore } from '../../models/modelStore.js';
import { engineConfigFor } from '../../main/core/faces/engineConfig.js';
import { detectorSize, FaceEngine, type DetectorInput } from '../../main/core/faces/faceEngine.js';
import type { RgbImage } from '../../main/core/media/imageDecoder.js';
import type { Point } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

let store: ModelStore;
let work: string;
const engines: FaceEngine[] = [];
before(async () => {
  store = await ModelStore.open(await testModelsDir());
  work = mkdtempSync(join(tmpdir(), 'kestrel-landmarker-'));
});
after(async () => {
  for (const e of engines) await e.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function rgb(width: number): Promise<RgbImage> {
  const { data, info } = await sharp(astronautPng).resize(width).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function detectorCopy(img: RgbImage): Promise<DetectorInput> {
  const ds = detectorSize(img.width, img.height);
  if (ds.scale === 1) return { image: img, scale: 1 };
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(ds.width, ds.height).raw().toBuffer();
  return { image: { data, width: ds.width, height: ds.height }, scale: ds.scale };
}

const eyeDistance = (l: readonly Point[]): number => Math.hypot(l[1]!.x - l[0]!.x, l[1]!.y - l[0]!.y);
const worstGap = (a: readonly Point[], b: readonly Point[]): number => Math.max(...a.map((p, i) => Math.hypot(p.x - b[i]!.x, p.y - b[i]!.y)));

test('the accurate profile takes its landmarks from SCRFD on a crop: the same points SCRFD finds on the whole photo, at any photo size', async () => {
  const accurate = await engineConfigFor(store, 'accurate', 1);
  assert.ok(accurate.landmarker, 'the accurate profile has a landmark model');
  const withLandmarker = await FaceEngine.create(accurate);
  const detectorOnly = await FaceEngine.create({ ...accurate, landmarker: null });
  const scrfdWhole = await FaceEngine.create({ ...accurate, detector: accurate.landmarker, landmarker: null });
  engines.push(withLandmarker, detectorOnly, scrfdWhole);
  for (const width of [512, 1600]) {
    const img = await rgb(width);
    const det = await detectorCopy(img);
    const [refined] = (await withLandmarker.analyze(img, det)).faces;
    const [plain] = (await detectorOnly.analyze(img, det)).faces;
    const [whole] = (await scrfdWhole.analyze(img, det)).faces;
    assert.ok(refined && plain && whole, `a face at width ${width}`);
    const eyes = eyeDistance(whole.landmarks);
    // The refined points agree with SCRFD's own on the whole photo to a few per cent of the eye distance...
    assert.ok(worstGap(refined.landmarks, whole.landmarks) < 0.08 * eyes, `width ${width}: refined vs SCRFD ${worstGap(refined.landmarks, whole.landmarks).toFixed(1)} px, eyes ${eyes.toFixed(0)} px`);
    // ...and they really replaced the detector's (YuNet's box and score stay).
    assert.ok(worstGap(refined.landmarks, plain.landmarks) > 0.01 * eyes, `width ${width}: landmarks were not replaced`);
    assert.deepEqual(refined.box, plain.box);
    assert.equal(refined.score, plain.score);
    assert.notDeepEqual(refined.embeddings['mfn_y1'], plain.embeddings['mfn_y1']);
  }
});

test('a new case records the landmark model; a case begun without one keeps its pipeline, so no case mixes two alignments', async () => {
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'a.png'), await sharp(astronautPng).resize(512).png().toBuffer());
  const modelsDir = await testModelsDir();
  const landmarksOf = async (caseDir: string, before?: (wb: Awaited<ReturnType<typeof createWorkbench>>) => void) => {
    const wb = await createWorkbench({ caseDir, modelsDir });
    try {
      before?.(wb);
      await wb.ingest([evidence], { examiner: 'Det. Landmarks' });
      const models = wb.db.prepare('SELECT id, role FROM models ORDER BY id').all() as { id: string; role: string }[];
      const [face] = wb.repos.faces.list(0, 10);
      assert.ok(face, 'a face');
      return { models, landmarks: face.landmarks };
    } finally {
      await wb.dispose();
    }
  };
  const fresh = await landmarksOf(join(work, 'new'));
  assert.deepEqual(fresh.models.find((m) => m.id === 'scrfd_2.5g'), { id: 'scrfd_2.5g', role: 'landmarker' });
  // An older case: its models were recorded by a version whose profile had no landmark model.
  const old = await landmarksOf(join(work, 'old'), (wb) => {
    for (const id of ['yunet_n', 'mfn_y1', 'mfn_foamliu', 'reid_0095', 'genderage_2018']) {
      const spec = store.spec(id);
      wb.db.prepare('INSERT INTO models (id, sha256, role, dim, version) VALUES (?, ?, ?, ?, ?)').run(id, spec.sha256, spec.role, spec.output.kind === 'embedding' ? spec.output.dim : null, spec.version);
    }
  });
  assert.equal(old.models.some((m) => m.id === 'scrfd_2.5g'), false, 'the old case is not given the landmark model');
  const detectorOnly = await FaceEngine.create({ ...(await engineConfigFor(store, 'accurate', 1)), landmarker: null });
  engines.push(detectorOnly);
  const img = await rgb(512);
  const [plain] = (await detectorOnly.analyze(img, await detectorCopy(img))).faces;
  assert.ok(worstGap(old.landmarks, plain!.landmarks) < 0.01, 'the old case still aligns with the detector\'s landmarks');
  assert.ok(worstGap(fresh.landmarks, plain!.landmarks) > 0.5, 'the new case aligns with the landmark model\'s');
});
