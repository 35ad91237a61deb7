/** What an examiner can annotate: every kind of evidence the case holds. */
/** What an annotation may be on; `case` (id 1) holds the case's own notes. */
export const ANNOTATION_TARGETS = ['case', 'media', 'face', 'track', 'identity', 'search', 'alarm', 'comparison'] as const;
/** The one target id of the case itself. */
export const CASE_TARGET_ID = 1;
export type AnnotationTargetKind = (typeof ANNOTATION_TARGETS)[number];

export const ANNOTATION_KINDS = ['tag', 'note', 'bookmark', 'conclusion'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

/**
 * An examiner's conclusion, on the ENFSI verbal scale (ENFSI Guideline for Evaluative Reporting in
 * Forensic Science, 2015), the same scale the calibrated likelihood ratio of a 1:1 comparison is
 * expressed on, so the examiner's opinion and the software's score can be read side by side.
 */
export const CONCLUSION_SCALE = [
  'extremely strong support for same person',
  'very strong support for same person',
  'strong support for same person',
  'moderately strong support for same person',
  'moderate support for same person',
  'weak support for same person',
  'inconclusive',
  'weak support for different people',
  'moderate support for different people',
  'moderately strong support for different people',
  'strong support for different people',
  'very strong support for different people',
  'extremely strong support for different people',
] as const;
export type ConclusionScale = (typeof CONCLUSION_SCALE)[number];

export interface AnnotationTarget {
  readonly kind: AnnotationTargetKind;
  readonly id: number;
}

export interface AnnotationDto {
  readonly id: number;
  readonly target: AnnotationTarget;
  readonly kind: AnnotationKind;
  readonly tag: string | null;
  readonly body: string;
  readonly scale: ConclusionScale | null;
  readonly examiner: string;
  readonly createdAt: string;
  /** Annotations are never deleted; a withdrawn one keeps its text and says who withdrew it and why. */
  readonly withdrawn: { readonly at: string; readonly by: string; readonly reason: string } | null;
}

export interface TagDto {
  readonly name: string;
  readonly description: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Annotations (not withdrawn) that apply it. */
  readonly uses: number;
}

/** A 1:1 comparison made in the case, as stored (the result is what the examiner was shown). */
export interface ComparisonRecordDto {
  readonly id: number;
  readonly at: string;
  readonly examiner: string;
  readonly refA: string;
  readonly refB: string;
  readonly faceA: number | null;
  readonly faceB: number | null;
}

export const EXPORT_FORMATS = ['pdf', 'html', 'csv', 'json', 'case'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What `export` wrote: where, how much, and the hash that `export verify` re-checks first. */
export interface ExportSummaryDto {
  readonly outDir: string;
  readonly files: number;
  readonly bytes: number;
  readonly faces: number;
  readonly identities: number;
  readonly searches: number;
  readonly alarms: number;
  readonly comparisons: number;
  readonly annotations: number;
  readonly problems: readonly string[];
  readonly manifestSha256: string;
  readonly seconds: number;
}
