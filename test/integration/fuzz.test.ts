// Mutation fuzzing of what reads untrusted bytes: the type sniffer, the image decoders (with EXIF),
// and the archive reader. Each target runs in a child process for a bounded time
// (KESTREL_FUZZ_SECONDS, default 12) from a seed (KESTREL_FUZZ_SEED to replay). The child reports
// every input before checking it, so a throw, a wrong outcome or a hang (no answer within 15 s, even
// a busy loop) fails the test with the input written out for reproduction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/fixtures.js';
import type { FuzzMessage, FuzzTarget } from '../helpers/fuzzTargets.js';

const SECONDS = Number(process.env['KESTREL_FUZZ_SECONDS'] ?? 12);
const SEED = Number(process.env['KESTREL_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
/** One input must be answered within this, or it counts as a hang. */
const PER_INPUT_MS = 15_000;

function fuzz(target: FuzzTarget): Promise<{ tried: number; summary: string }> {
  const child = fork(join(repoRoot, 'test', 'helpers', 'fuzzTargets.ts'), [target, String(SEED), String(SECONDS)], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let last: { index: number; bytes: string } | null = null;
  let heard = Date.now();
  const keep = (why: string): string => {
    if (!last) return `${why} (before the first input)`;
    const file = join(mkdtempSync(join(tmpdir(), 'kestrel-fuzz-')), `${target}-${last.index}.bin`);
    writeFileSync(file, Buffer.from(last.bytes, 'base64'));
    return `${target}: input ${last.index} (seed ${SEED}) ${why}; the input is in ${file}`;
  };
  return new Promise((resolve, reject) => {
    let done: { tried: number; summary: string } | null = null;
    const watchdog = setInterval(() => {
      if (Date.now() - heard < PER_INPUT_MS) return;
      clearInterval(watchdog);
      child.kill('SIGKILL');
      reject(new Error(keep(`got no answer within ${PER_INPUT_MS / 1000} s (a hang)`)));
    }, 500);
    child.on('message', (m: FuzzMessage) => {
      heard = Date.now();
      if (m.type === 'input') last = m;
      else if (m.type === 'failed') reject(new Error(keep(`failed: ${m.message}`)));
      else done = m;
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      if (done) resolve(done);
      else reject(new Error(keep(`ended the process (code ${code}, signal ${signal}): ${stderr}`)));
    });
  });
}

test('decoders: every mutated image is decoded or refused with a known reason, never a throw or a hang', async (t) => {
  const r = await fuzz('image');
  t.diagnostic(`seed ${SEED}: ${r.tried} mutated images in ${SECONDS} s; ${r.summary}`);
  assert.ok(r.tried >= 50, `only ${r.tried} inputs tried`);
});

test('archive reader: every mutated zip, tar and tar.gz ends in entries and error items, never a throw or a hang', async (t) => {
  const r = await fuzz('archive');
  t.diagnostic(`seed ${SEED}: ${r.tried} mutated archives in ${SECONDS} s; ${r.summary}`);
  assert.ok(r.tried >= 50, `only ${r.tried} inputs tried`);
});
