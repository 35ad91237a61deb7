// Air-gap: intake (photos, a video, an archive), search, 1:1 comparison, export and export
// verification run with the network cut off (a new network namespace: no interface at all) while
// strace records every socket the processes and their children (ffmpeg, workers) open, and every
// file they open. Passing means every command works offline AND none of them even tried: no IPv4/IPv6
// socket, no name lookup, and no telemetry queue written for later (ONNX Runtime's, see
// main/core/faces/ortTelemetryOff.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveFfmpeg } from '../../main/core/index.js';
import { astronautJpeg, astronautPng, repoRoot, testModelsDir } from '../helpers/fixtures.js';
import { makeZip } from '../helpers/zipWriter.js';

const cli = join(repoRoot, 'bin', 'kestrel.js');
const works = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasStrace = works('strace', ['-V']);
const canUnshare = works('unshare', ['-rn', 'true']);
let work: string;
let env: NodeJS.ProcessEnv;
let runs = 0;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-airgap-'));
  const ev = join(work, 'evidence');
  mkdirSync(ev);
  writeFileSync(join(ev, 'a.jpg'), await astronautJpeg(420));
  writeFileSync(join(ev, 'b.png'), await sharp(astronautPng).resize(380).png().toBuffer());
  writeFileSync(join(ev, 'photos.zip'), makeZip([{ name: 'c.jpg', data: await astronautJpeg(360) }]));
  spawnSync(resolveFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=480x270:d=1:r=25',
    '-filter_complex', "[0]scale=130:-2[f];[1][f]overlay=x='20+t*100':y=50:shortest=1", '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(ev, 'walk.mp4')]);
  writeFileSync(join(work, 'probe.jpg'), await astronautJpeg(300));
  // A home of its own, so that anything written under ~ is seen (and the user's is left alone).
  mkdirSync(join(work, 'home'));
  env = { ...process.env, KESTREL_MODELS: await testModelsDir(), KESTREL_EXAMINER: 'Air Gap', HOME: join(work, 'home') };
  delete env['ORT_DISABLE_TELEMETRY'];
  // ONNX Runtime stays quiet when it sees a CI service's variable (these names are in its binary):
  // the commands must run as on an examiner's machine, or CI would pass without the fix.
  for (const v of ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'CODEBUILD_BUILD_ID', 'BUILDKITE', 'TEAMCITY_VERSION', 'APPVEYOR', 'BITBUCKET_BUILD_NUMBER']) delete env[v];
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Network activity in an strace log: IPv4/IPv6/raw sockets, and name lookups (nscd). */
function networkUse(log: string): string[] {
  return log.split('\n').filter((l) =>
    /socket\(AF_(INET|INET6|PACKET)\b/.test(l) || /connect\(.*sun_path="\/var\/run\/nscd/.test(l) || /connect\(.*sa_family=AF_INET6?\b/.test(l));
}

/** Files that only exist to be sent somewhere later: ONNX Runtime's 1DS telemetry store and its debug log. */
function telemetryFiles(log: string): string[] {
  return log.split('\n').filter((l) => /open(at)?\(.*(mat-debug|DeveloperTools|\.onnxruntime|telemetry)/i.test(l));
}

/** Runs node with `args` cut off from the network and traced. */
function offline(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string; network: string[] } {
  const log = join(work, `strace-${++runs}.log`);
  const wrap = [...(canUnshare ? ['unshare', '-rn'] : []), ...(hasStrace ? ['strace', '-f', '-qq', '-e', 'trace=socket,connect,open,openat', '-o', log] : [])];
  const r = spawnSync(wrap[0] ?? process.execPath, [...wrap.slice(1), ...(wrap.length ? [process.execPath] : []), ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!hasStrace) return { status: r.status, stdout: r.stdout, stderr: r.stderr, network: [] };
  const traced = readFileSync(log, 'utf8');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, network: [...networkUse(traced), ...telemetryFiles(traced)] };
}

test('the trace sees a process that tries the network (control)', { skip: hasStrace ? false : 'needs strace' }, () => {
  const r = offline(['-e', "require('node:dns').lookup('example.org', () => {}); require('node:net').connect(80, '192.0.2.1').on('error', () => {})"]);
  assert.ok(r.network.length >= 2, r.network.join('\n'));
});

test('the trace sees ONNX Runtime\'s telemetry store when nothing turns it off (control)', { skip: hasStrace ? false : 'needs strace' }, async () => {
  const home = join(work, 'control-home');
  mkdirSync(home);
  const model = join(await testModelsDir(), 'yunet_n_dynamic.onnx');
  const r = offline(['-e', `require('onnxruntime-node').InferenceSession.create(${JSON.stringify(model)}).then((s) => s.release())`], { HOME: home });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.network.some((l) => /DeveloperTools|mat-debug/.test(l)), `ONNX Runtime ${r.network.length ? 'opened ' + r.network.join('\n') : 'wrote no telemetry: this ORT build has none, so the check below proves nothing new'}`);
});

test('intake, search, compare, export and verification work with no network and never try to use one', { skip: !hasStrace && !canUnshare ? 'needs strace or unshare (util-linux)' : false }, (t) => {
  const caseDir = join(work, 'case');
  const out = join(work, 'export');
  const steps: [string, string[]][] = [
    ['ingest', ['ingest', '--case', caseDir, '--json', join(work, 'evidence')]],
    ['search', ['search', '--case', caseDir, '--probe', join(work, 'probe.jpg'), '--json']],
    ['compare', ['compare', '--case', caseDir, join(work, 'probe.jpg'), join(work, 'evidence', 'a.jpg'), '--json']],
    ['export', ['export', '--case', caseDir, '--out', out, '--select', 'all', '--json']],
    ['verify', ['export', 'verify', out, '--case', caseDir, '--json']],
  ];
  const used: string[] = [];
  for (const [name, args] of steps) {
    const r = offline([cli, ...args]);
    assert.equal(r.status, 0, `kestrel ${args.join(' ')}: ${r.stderr}`);
    used.push(...r.network.map((l) => `${name}: ${l}`));
    if (name === 'ingest') assert.ok((JSON.parse(r.stdout) as { faces: number }).faces >= 4);
    if (name === 'search') assert.ok((JSON.parse(r.stdout) as { hits: unknown[] }).hits.length >= 3);
  }
  assert.deepEqual(used, [], 'network use');
  assert.equal(existsSync(join(work, 'home', '.cache', 'Microsoft')), false, 'no telemetry store in the home folder');
  t.diagnostic(`${steps.length} commands offline (${canUnshare ? 'network namespace without interfaces' : 'network present'}; ${hasStrace ? 'strace: 0 network sockets, 0 name lookups' : 'no strace: sockets not traced'})`);
});
