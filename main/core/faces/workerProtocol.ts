import type { AnalyzeResult } from './faceEngine.js';
import type { ImageAnalysis } from './imageAnalyzer.js';
import type { ImageFormat } from '../media/fileType.js';
import type { DecodeLimits } from '../media/imageDecoder.js';

export interface RawImageMsg {
  readonly data: ArrayBuffer;
  readonly width: number;
  readonly height: number;
}

export type WorkerRequest =
  | { readonly type: 'init'; readonly id: number; readonly config: unknown }
  | { readonly type: 'analyze'; readonly id: number; readonly full: RawImageMsg; readonly det: RawImageMsg; readonly detScale: number; readonly pad: boolean }
  | { readonly type: 'analyzeEncoded'; readonly id: number; readonly bytes: ArrayBuffer; readonly format: ImageFormat; readonly limits: DecodeLimits }
  | { readonly type: 'timeInference'; readonly id: number; readonly full: RawImageMsg; readonly det: RawImageMsg; readonly detScale: number }
  | { readonly type: 'dispose'; readonly id: number };

export type WorkerResponse =
  | { readonly type: 'ready'; readonly id: number }
  | { readonly type: 'result'; readonly id: number; readonly result: AnalyzeResult }
  | { readonly type: 'analyzed'; readonly id: number; readonly analysis: ImageAnalysis }
  | { readonly type: 'timed'; readonly id: number; readonly ms: number; readonly detectMs: number; readonly faces: number }
  | { readonly type: 'disposed'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
