/** Branded ids: a MediaId can never be passed where a FaceId is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type SourceId = Brand<number, 'SourceId'>;
export type MediaId = Brand<number, 'MediaId'>;
export type FaceId = Brand<number, 'FaceId'>;
export type JobId = Brand<number, 'JobId'>;
export type TrackId = Brand<number, 'TrackId'>;
export type ModelId = Brand<string, 'ModelId'>;

export const asSourceId = (n: number): SourceId => n as SourceId;
export const asMediaId = (n: number): MediaId => n as MediaId;
export const asFaceId = (n: number): FaceId => n as FaceId;
export const asJobId = (n: number): JobId => n as JobId;
export const asTrackId = (n: number): TrackId => n as TrackId;
export const asModelId = (s: string): ModelId => s as ModelId;
