import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SearchDto, SearchHitDto } from '../../main/contract/index.js';
import { searchTable } from '../../main/cli/searchCommands.js';

const hit = (rank: number, score: number, rankScore: number | null): SearchHitDto => ({
  rank, score, rankScore, faceId: rank as SearchHitDto['faceId'], trackId: null, mediaId: 1 as SearchHitDto['mediaId'], mediaPath: '/evidence/a.jpg', mediaSha256: 'ab',
  frameMs: null, trackStartMs: null, trackEndMs: null, capturedAt: null, age: 30, thumbnail: '', identityId: null, identityName: null,
});

test('the search table shows the re-ranking score the hits are ordered by, blank below the re-ranked shortlist', () => {
  // Re-ranking may order a lower fused score first: without its own column the order looks wrong.
  const s = { hits: [hit(1, 0.046, 0.038), hit(2, 0.09, -0.004), hit(3, 0.2, null)] } as unknown as SearchDto;
  const { header, rows } = searchTable(s);
  const col = (name: string): (string | number)[] => rows.map((r) => r[header.indexOf(name)]!);
  assert.deepEqual(col('score'), ['0.046', '0.090', '0.200']);
  assert.deepEqual(col('rank score'), ['0.038', '-0.004', '']);
  assert.deepEqual(col('rank'), [1, 2, 3]);
});
