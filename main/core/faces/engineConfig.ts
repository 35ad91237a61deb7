import type { ProfileName } from '../../contract/index.js';
import type { ModelStore } from '../../../models/modelStore.js';
import { DEFAULT_ENGINE_TUNING, type FaceEngineConfig } from './faceEngine.js';

/** Builds the engine configuration of a profile from verified model files. */
export async function engineConfigFor(store: ModelStore, profile: ProfileName, threads: number): Promise<FaceEngineConfig> {
  const paths = await store.verifyProfile(profile);
  const p = store.profile(profile);
  const model = (id: string) => ({ spec: store.spec(id), path: paths.get(id)! });
  return {
    detector: model(p.detector),
    landmarker: p.landmarker ? model(p.landmarker) : null,
    recognizers: p.recognizers.map(model),
    genderage: p.genderage ? model(p.genderage) : null,
    threads,
    ...DEFAULT_ENGINE_TUNING,
  };
}

/**
 * Worker layout on this machine. Measured on 2 cores (kestrel bench ingest): two workers with one
 * ORT thread each beat one worker with two threads, because these small models do not scale across
 * threads within one call while two independent images keep both cores busy.
 */
export function defaultWorkerLayout(cores: number): { workers: number; threads: number } {
  return { workers: Math.max(1, cores), threads: 1 };
}
