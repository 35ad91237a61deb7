import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTicks, formatInstant, formatSpan } from '../../renderer/src/components/timeAxis.js';

const utc = (s: string): number => Date.parse(`${s}Z`);

test('the axis picks round ticks for every zoom, from decades to seconds, within the tick budget', () => {
  const years = axisTicks(utc('2003-05-10T00:00:00'), utc('2021-02-01T00:00:00'), 10);
  assert.deepEqual(years.map((t) => t.label), ['2005', '2010', '2015', '2020']);
  assert.ok(years.every((t) => new Date(t.ms).getUTCMonth() === 0 && new Date(t.ms).getUTCDate() === 1));
  const months = axisTicks(utc('2021-01-15T00:00:00'), utc('2021-06-20T00:00:00'), 8);
  assert.deepEqual(months.map((t) => t.label), ['2021-02', '2021-03', '2021-04', '2021-05', '2021-06']);
  const days = axisTicks(utc('2021-03-01T10:00:00'), utc('2021-03-05T10:00:00'), 5);
  assert.deepEqual(days.map((t) => t.label), ['2021-03-02', '2021-03-03', '2021-03-04', '2021-03-05']);
  const minutes = axisTicks(utc('2021-03-01T10:02:00'), utc('2021-03-01T10:31:00'), 8);
  assert.deepEqual(minutes.map((t) => t.label), ['03-01 10:05', '03-01 10:10', '03-01 10:15', '03-01 10:20', '03-01 10:25', '03-01 10:30']);
  const seconds = axisTicks(utc('2021-03-01T10:00:00.500'), utc('2021-03-01T10:00:04.200'), 8);
  assert.deepEqual(seconds.map((t) => t.label), ['10:00:01', '10:00:02', '10:00:03', '10:00:04']);
  for (const [a, b] of [['1990-01-01T00:00:00', '2030-01-01T00:00:00'], ['2021-03-01T00:00:00', '2021-03-01T00:00:01']] as const)
    assert.ok(axisTicks(utc(a), utc(b), 12).length <= 13);
});

test('instants are shown on the recorded clock; spans in the unit a person reads', () => {
  assert.equal(formatInstant(utc('2021-06-03T14:22:05')), '2021-06-03 14:22:05');
  assert.equal(formatSpan(3500), '3.5 s');
  assert.equal(formatSpan(12 * 60_000), '12 min');
  assert.equal(formatSpan(5 * 3_600_000), '5.0 h');
  assert.equal(formatSpan(14 * 86_400_000), '14 d');
  assert.equal(formatSpan(2.3 * 365.25 * 86_400_000), '2.3 y');
});
