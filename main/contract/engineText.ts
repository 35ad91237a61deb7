import type { CompareWarningDto } from './dto.js';

/**
 * Text the engine writes about a result (warnings, calibration conditions, where a threshold came
 * from, the decision), in English and Simplified Chinese: one source for the CLI, the UI and the
 * report. The engine stores the English text with each result and, for warnings, the values it was
 * made from, so a Chinese report or UI can say the same thing in Chinese.
 */
export type TextLang = 'en' | 'zh';
export type WarningParams = Readonly<Record<string, string | number>>;
type Template = (p: WarningParams) => string;

const v = (p: WarningParams, k: string): string => String(p[k] ?? '?');
const ageSourceZh = (p: WarningParams): string => (p['ageSource'] === 'given' ? '已知' : '估计');

const WARNINGS: Record<TextLang, Readonly<Record<string, Template>>> = {
  en: {
    small: (p) => `Face ${v(p, 'side')}: the face is small (under 40 px): fine detail is missing`,
    blurred: (p) => `Face ${v(p, 'side')}: the face is blurred`,
    profile: (p) => `Face ${v(p, 'side')}: the face is turned away (over 40 degrees): frontal comparison is less reliable`,
    dark: (p) => `Face ${v(p, 'side')}: the face is underexposed`,
    overexposed: (p) => `Face ${v(p, 'side')}: the face is overexposed`,
    low_detector_score: (p) => `Face ${v(p, 'side')}: the detector was unsure this is a face`,
    low_quality: (p) => `Face ${v(p, 'side')}: overall quality ${v(p, 'quality')} is low; treat the result with caution`,
    child_photo: (p) => `Face ${v(p, 'side')} is of a child (${v(p, 'ageSource')} age ${v(p, 'age')}): children's faces change fast and resemble each other; scores are less discriminating`,
    multiple_faces: (p) => `Photo ${v(p, 'side')} shows ${v(p, 'faces')} faces; the largest confident one was compared (crop the photo to choose another)`,
    age_estimated: (p) => `Face ${v(p, 'side')}: the age is the model's estimate (often too high for young children); give the known age at the time of the photo for a better-founded calibration`,
    large_age_difference: (p) => `The ages differ by about ${v(p, 'years')} years: the same person scores lower across such gaps`,
    models_missing: (p) => `Only ${v(p, 'n')} of ${v(p, 'of')} recognizers have embeddings for both faces`,
    outside_calibration: (p) => `A face is under ${v(p, 'px')} px, smaller than any face in the calibration data: the likelihood ratio is limited to weak support (10^${v(p, 'max')})`,
    lr_at_bound: (p) => `The likelihood ratio is capped at 10^${v(p, 'max')}: the calibration data (${v(p, 'positives')} same, ${v(p, 'negatives')} different pairs) cannot support a stronger statement`,
    uncalibrated: () => 'No calibration exists for these recognizer weights: no likelihood ratio is given (run kestrel eval calibrate)',
  },
  zh: {
    small: (p) => `人脸 ${v(p, 'side')}：人脸过小（不足 40 像素），缺少细节`,
    blurred: (p) => `人脸 ${v(p, 'side')}：人脸模糊`,
    profile: (p) => `人脸 ${v(p, 'side')}：人脸偏转（超过 40 度），正面比对可靠性降低`,
    dark: (p) => `人脸 ${v(p, 'side')}：人脸曝光不足`,
    overexposed: (p) => `人脸 ${v(p, 'side')}：人脸曝光过度`,
    low_detector_score: (p) => `人脸 ${v(p, 'side')}：检测器不确定这是人脸`,
    low_quality: (p) => `人脸 ${v(p, 'side')}：总体质量 ${v(p, 'quality')} 偏低，请谨慎对待结果`,
    child_photo: (p) => `人脸 ${v(p, 'side')} 为儿童（${ageSourceZh(p)}年龄 ${v(p, 'age')} 岁）：儿童面貌变化快且彼此相似，分数区分度较低`,
    multiple_faces: (p) => `照片 ${v(p, 'side')} 中有 ${v(p, 'faces')} 张人脸，比对的是最大且置信的一张（裁剪照片可选择其他人脸）`,
    age_estimated: (p) => `人脸 ${v(p, 'side')}：年龄为模型估计值（对幼儿常偏高）；给出拍摄时的已知年龄可使校准更有依据`,
    large_age_difference: (p) => `两者年龄相差约 ${v(p, 'years')} 岁：同一人跨越这样的年龄差时分数偏低`,
    models_missing: (p) => `${v(p, 'of')} 个识别模型中只有 ${v(p, 'n')} 个同时具有两张人脸的特征`,
    outside_calibration: (p) => `有人脸小于 ${v(p, 'px')} 像素，小于校准数据中的任何人脸：似然比最多只能表示弱支持（10^${v(p, 'max')}）`,
    lr_at_bound: (p) => `似然比上限为 10^${v(p, 'max')}：校准数据（同一人 ${v(p, 'positives')} 对、不同人 ${v(p, 'negatives')} 对）不足以支持更强的结论`,
    uncalibrated: () => '这些识别模型权重没有校准：不给出似然比（请运行 kestrel eval calibrate）',
  },
};

/** A comparison warning's text (the English one the engine stores, built from these templates). */
export function warningText(code: string, params: WarningParams, lang: TextLang): string {
  const t = WARNINGS[lang][code] ?? WARNINGS.en[code];
  return t ? t(params) : code;
}

/** A stored warning in the reader's language (a warning stored without its values keeps its English text). */
export function localWarning(w: CompareWarningDto, lang: TextLang): string {
  return lang === 'en' || !w.params ? w.message : warningText(w.code, w.params, lang);
}

/** Calibration conditions: a face under this age counts as a child's. */
export const CHILD_BELOW_YEARS = 14;
/** Calibration conditions: an age gap over this many years is a large one. */
export const LARGE_GAP_YEARS = 10;

const CONDITIONS: Record<TextLang, Readonly<Record<string, (child: number, gap: number) => string>>> = {
  en: {
    any: () => 'any pair (ages unknown)',
    child_gap_le10: (c, g) => `a child (under ${c}) involved, age gap up to ${g} years`,
    child_gap_gt10: (c, g) => `a child (under ${c}) involved, age gap over ${g} years`,
    adult_gap_le10: (c, g) => `both ${c} or older, age gap up to ${g} years`,
    adult_gap_gt10: (c, g) => `both ${c} or older, age gap over ${g} years`,
  },
  zh: {
    any: () => '任意配对（年龄未知）',
    child_gap_le10: (c, g) => `涉及儿童（不满 ${c} 岁），年龄差不超过 ${g} 岁`,
    child_gap_gt10: (c, g) => `涉及儿童（不满 ${c} 岁），年龄差超过 ${g} 岁`,
    adult_gap_le10: (c, g) => `双方均已满 ${c} 岁，年龄差不超过 ${g} 岁`,
    adult_gap_gt10: (c, g) => `双方均已满 ${c} 岁，年龄差超过 ${g} 岁`,
  },
};

/** The calibration condition a pair was judged under. */
export function conditionText(id: string, lang: TextLang): string {
  const t = CONDITIONS[lang][id] ?? CONDITIONS.en[id];
  return t ? t(CHILD_BELOW_YEARS, LARGE_GAP_YEARS) : id;
}

/**
 * The product's measured 1:N accuracy across ages, in % (`kestrel eval search` on
 * fgnet_child_search: 164 photos of children aged 0-6 searched among 362 photos of the same people as
 * adults; README "Accuracy"). Stated with a child's search so the examiner reviews enough candidates.
 * `combined`: the 44 children there with two to seven photos, all of them in one query; `twoPhotos`:
 * any two of them (each photo alone: 43.3 / 61.9 %).
 */
export const CHILD_SEARCH_ACCURACY = { rank1: 41.5, top5: 60.4, top10: 70.7, combined: { rank1: 59.1, top5: 79.5 }, twoPhotos: { rank1: 52.5, top5: 75.6 } } as const;

/** True when a search has a probe that looks like a child's photo (estimated or stored age under CHILD_BELOW_YEARS). */
export const hasChildProbe = (probes: readonly { readonly age: number | null }[]): boolean => probes.some((p) => p.age !== null && p.age < CHILD_BELOW_YEARS);

/**
 * What an examiner should know when searching with a child's photo (CLI, UI and report say the same).
 * `photos`: the probe photos in the search; one photo is advised to add the child's others, several
 * are told what combining them measured.
 */
export function childSearchAdvice(lang: TextLang, photos: number): string {
  const a = CHILD_SEARCH_ACCURACY;
  const c = a.combined;
  const two = a.twoPhotos;
  if (lang === 'zh') {
    const base = `检索样本看似儿童照片（估计年龄不满 ${CHILD_BELOW_YEARS} 岁）。跨年龄检索较弱：在 FG-NET 年龄数据集上，单张照片检索时同一人排名第 1 的占 ${a.rank1}%，位列前 5 占 ${a.top5}%，前 10 占 ${a.top10}%。请至少审核前 10 名候选；候选中没有某人并不能排除此人。`;
    return photos >= 2
      ? `${base}本次检索合并了 ${photos} 张照片：在同一数据集上，两张照片合并检索时同一人排名第 1 的占 ${two.rank1}%，位列前 5 占 ${two.top5}%；一名儿童的全部照片（2 至 7 张）合并时为 ${c.rank1}% 与 ${c.top5}%。`
      : `${base}请把该儿童的其他照片一并加入同一次检索：在同一数据集上，两张照片合并检索时同一人排名第 1 的占 ${two.rank1}%，位列前 5 占 ${two.top5}%；一名儿童的全部照片（2 至 7 张）合并时为 ${c.rank1}% 与 ${c.top5}%。`;
  }
  const base = `A probe looks like a child's photo (estimated age under ${CHILD_BELOW_YEARS}). Searching across ages is weaker: on the FG-NET ageing set, one photo found the same person first in ${a.rank1} % of searches, in the top 5 in ${a.top5} % and in the top 10 in ${a.top10} %. Review at least the top 10 candidates; a person missing from them is not excluded.`;
  const measured = `two photos in one query found the person first in ${two.rank1} % and in the top 5 in ${two.top5} %; all of a child's photos (two to seven) in ${c.rank1} % and ${c.top5} %.`;
  return photos >= 2
    ? `${base} This search combines ${photos} photos: on that set, ${measured}`
    : `${base} Add the child's other photos to the same search: on that set, ${measured}`;
}

/** Said of a search made one result per identity (CLI, UI and report). */
export function onePerIdentityText(lang: TextLang): string {
  return lang === 'zh' ? '每个身份一条结果' : 'one result per identity';
}

/** Said of a probe photo that is itself a photo of the case: its face there is the probe, not a result. */
export function probeInCaseText(faceId: number, lang: TextLang): string {
  return lang === 'zh' ? `即本案件中的人脸 ${faceId}，不作为结果` : `in this case as face ${faceId}, not a result`;
}

/** Where a decision threshold came from, in the reader's language (the engine stores the English). */
export function thresholdSourceText(source: string, lang: TextLang): string {
  if (lang === 'en') return source;
  if (source === 'given by the examiner') return '由检验人给定';
  const cal = /^false-accept rate 1e-3 on the calibration data \((.*)\)$/.exec(source);
  if (cal) return `校准数据（${cal[1]}）上误识率 1e-3 的阈值`;
  if (source.startsWith('none (uncalibrated')) return '无（未校准；请给定阈值）';
  return source;
}

/** A threshold decision in the reader's language. */
export function decisionText(decision: 'match' | 'no match' | null, lang: TextLang): string {
  if (decision === null) return '–';
  if (lang === 'en') return decision;
  return decision === 'match' ? '匹配' : '不匹配';
}

const STRENGTH_ZH: Record<string, string> = {
  'extremely strong': '极强', 'very strong': '很强', strong: '强', 'moderately strong': '较强', moderate: '中等', weak: '弱',
};

/** A conclusion (or the software's verbal equivalent) in the report's language. */
export function scaleText(scale: string, lang: TextLang): string {
  if (lang === 'en') return scale;
  if (scale === 'inconclusive' || scale === 'none') return '无倾向（不确定）';
  const m = /^(.+) support for (same person|different people)$/.exec(scale);
  if (!m) return scale;
  return `${m[2] === 'same person' ? '支持同一人' : '支持不同人'}，强度：${STRENGTH_ZH[m[1]!] ?? m[1]!}`;
}
