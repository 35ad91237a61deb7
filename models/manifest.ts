import { z } from 'zod';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { ProfileName } from '../main/contract/index.js';

const inputSchema = z.object({
  name: z.string().min(1),
  /** 0 = dynamic (detectors only). */
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  multipleOf: z.number().int().positive().optional(),
  colour: z.enum(['RGB', 'BGR']),
  /** Pixel value v (0..255) enters the network as (v*scale - mean[c]) / std[c]. */
  scale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
});

const outputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('yunet'), strides: z.array(z.number().int().positive()) }),
  z.object({ kind: z.literal('scrfd'), strides: z.array(z.number().int().positive()) }),
  z.object({ kind: z.literal('embedding'), name: z.string().min(1), dim: z.number().int().positive() }),
  z.object({ kind: z.literal('genderage'), name: z.string().min(1) }),
]);

export const modelSpecSchema = z.object({
  id: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'model id: letters, digits, _ . - (at most 64)'),
  file: z.string().regex(/^[^/\\]+\.onnx$/, 'model file: a plain .onnx file name'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive().optional(),
  role: z.enum(['detector', 'recognizer', 'genderage']),
  version: z.string().min(1),
  licence: z.string().min(1),
  commercialUse: z.boolean(),
  source: z.string().url().nullable(),
  bundleOnlyReason: z.string().optional(),
  input: inputSchema,
  template: z.enum(['arcface112', 'intel128']).optional(),
  output: outputSchema,
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export const profileSchema = z.object({
  detector: z.string(),
  recognizers: z.array(z.string()).min(1),
  /** A detector run again on a square crop around each found face, for its five landmarks only. */
  landmarker: z.string().nullable().default(null),
  genderage: z.string().nullable(),
});
export type ProfileSpec = z.infer<typeof profileSchema>;

/** Every model a profile runs, in pipeline order. */
export function profileModelIds(p: ProfileSpec): string[] {
  return [p.detector, ...(p.landmarker ? [p.landmarker] : []), ...p.recognizers, ...(p.genderage ? [p.genderage] : [])];
}

export const manifestSchema = z.object({
  manifestVersion: z.literal(1),
  models: z.array(modelSpecSchema),
  profiles: z.object({ accurate: profileSchema, permissive: profileSchema }),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** A file shipped with this build in models/ (next to this module in sources, or one level up in a bundle); null if absent. */
export function builtInModelsFile(name: string): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, name), join(here, '..', 'models', name)].find((c) => existsSync(c)) ?? null;
}

/** The manifest shipped with this build (models/manifest.json). */
export function loadBuiltInManifest(): Manifest {
  const file = builtInModelsFile('manifest.json');
  if (!file) throw new Error(`models/manifest.json not found next to ${dirname(fileURLToPath(import.meta.url))}`);
  return manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function profileSpec(manifest: Manifest, profile: ProfileName): ProfileSpec {
  return manifest.profiles[profile];
}
