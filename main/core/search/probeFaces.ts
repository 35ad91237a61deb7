import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { KestrelError } from '../../contract/index.js';
import type { AnalyzedFace } from '../faces/faceEngine.js';
import type { FacePool } from '../faces/facePool.js';
import { analyzeImage } from '../faces/imageAnalyzer.js';
import { sniffFileType, SNIFF_BYTES } from '../media/fileType.js';
import { sha256 } from '../media/hashing.js';

/** The face a single-person photo is about: the largest confident one (score x area). */
export function primaryFace<F extends Pick<AnalyzedFace, 'score' | 'box'>>(faces: readonly F[]): F | null {
  let best: F | null = null;
  for (const f of faces) if (!best || f.score * f.box.width * f.box.height > best.score * best.box.width * best.box.height) best = f;
  return best;
}

export interface ProbeFace {
  readonly fileName: string;
  readonly sha256: string;
  readonly face: AnalyzedFace;
  /** Faces found in the photo besides the one used. */
  readonly otherFaces: number;
}

/**
 * Reads a probe or reference photo (never written to), finds its faces with the intake pipeline and
 * returns the primary one. A photo that cannot be read or decoded, or has no face, is a clear error.
 */
export async function readProbe(pool: FacePool, path: string, read: (path: string) => Promise<Buffer> = (p) => readFile(p)): Promise<ProbeFace> {
  return probeFromBytes(pool, path, await readPhotoBytes(path, read));
}

/** A photo's bytes, or a clear error naming it. */
export async function readPhotoBytes(path: string, read: (path: string) => Promise<Buffer> = (p) => readFile(p)): Promise<Buffer> {
  try {
    return await read(path);
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `Cannot read photo ${path}: ${(err as Error).message}`);
  }
}

/** The primary face of a photo already read (`path` names it in errors and gives its file name). */
export async function probeFromBytes(pool: FacePool, path: string, buf: Buffer): Promise<ProbeFace> {
  const type = sniffFileType(buf.subarray(0, SNIFF_BYTES));
  if (type.kind !== 'image') throw new KestrelError('INVALID_INPUT', `${path} is not a supported photo (${type.kind === 'video' ? 'a video: pick a frame' : 'unknown format'})`);
  const a = await analyzeImage(pool, buf, type.format);
  if (!a.ok) throw new KestrelError('INVALID_INPUT', `Photo ${path} cannot be decoded: ${a.reason} (${a.detail})`);
  const face = primaryFace(a.result.faces);
  if (!face) throw new KestrelError('INVALID_INPUT', `No face was found in ${path}`);
  return { fileName: basename(path), sha256: sha256(buf), face, otherFaces: a.result.faces.length - 1 };
}
