import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import type { MatchDto } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';
import { DEFAULT_INDEX_TUNING } from '../../main/core/search/faceIndex.js';

// A case above the exact-search limit matches through its index graph. The limit is lowered to two
// faces here so that the graph runs on a few real faces; the same case opened with the default
// limit scans exactly, and both must find the same pairs with the same scores.
const GRAPH_TUNING = { ...DEFAULT_INDEX_TUNING, exactLimit: 2, connectivity: 16, expansionAdd: 64 };

let work: string;
let caseDir: string;
let modelsDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-match-graph-'));
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'a.jpg'), await sharp(astronautPng).resize(420).jpeg().toBuffer());
  writeFileSync(join(evidence, 'b.png'), await sharp(astronautPng).resize(360).flop().png().toBuffer());
  writeFileSync(join(evidence, 'c.jpg'), await sharp(astronautPng).resize(300).greyscale().jpeg().toBuffer());
  writeFileSync(join(evidence, 'd.webp'), await sharp(astronautPng).resize(500).modulate({ brightness: 0.7 }).webp().toBuffer());
  writeFileSync(join(work, 'probe.png'), await sharp(astronautPng).resize(512).png().toBuffer());
  caseDir = join(work, 'case');
  modelsDir = await testModelsDir();
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    await wb.ingest([evidence], { examiner: 'tester' });
    wb.createWatchlist({ name: 'wanted', threshold: 0.3, examiner: 'tester' });
    await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [join(work, 'probe.png')], examiner: 'tester' });
  } finally {
    await wb.dispose();
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

async function matches(tuning?: typeof GRAPH_TUNING): Promise<{ list: MatchDto; self: MatchDto }> {
  const wb: Workbench = await createWorkbench({ caseDir, modelsDir, ...(tuning ? { indexTuning: tuning } : {}) });
  try {
    return {
      list: await wb.match({ a: 'watchlist:wanted', b: 'case', threshold: 0.3, examiner: 'tester' }),
      self: await wb.match({ a: 'case', b: 'case', threshold: 0.3, examiner: 'tester' }),
    };
  } finally {
    await wb.dispose();
  }
}

const pairsOf = (m: MatchDto): string[] => m.pairs.map((p) => `${[p.a.key, p.b.key].sort().join('|')} ${p.score}`).sort();

test('M:N against a case whose index is a graph finds the pairs an exact scan finds, with the same scores, and says how B was searched', async () => {
  const graph = await matches(GRAPH_TUNING);
  assert.ok(existsSync(join(caseDir, 'derived', 'index', 'faces.usearch')), 'the graph was built and kept in the case');
  const exact = await matches();
  assert.equal(exact.list.pairs.length, 4);
  assert.equal(exact.self.pairs.length, 6, 'every unordered pair of the four faces once');
  assert.deepEqual(pairsOf(graph.list), pairsOf(exact.list));
  assert.deepEqual(pairsOf(graph.self), pairsOf(exact.self));
  assert.match(graph.list.b.label, /shortlisted by the case's index graph/);
  assert.doesNotMatch(exact.list.b.label, /graph/);
  assert.equal(graph.list.pairsCompared, exact.list.pairsCompared);
  assert.equal(graph.list.truncated, false);
});
