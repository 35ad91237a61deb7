
export type ReportLang = 'en' | 'zh';

/** How many faces an identity shows in the report (all are in faces.csv and crops/). */
export const REPORT_FACES_PER_IDENTITY = 24;

const EN = {
  title: 'Face examination report',
  case: 'Case', examiner: 'Examiner', exportedAt: 'Exported', software: 'Software', profile: 'Model profile', createdAt: 'Case created', createdBy: 'Case created by',
  selection: 'Selection', page: 'Page', of: 'of',
  summary: 'Summary', summaryText: 'This report covers {identities} identities, {searches} searches, {alarms} alarms and {comparisons} comparisons (1:1), with {faces} faces from {media} originals. Every exported file and every original is listed with its SHA-256 in manifest.json; run "kestrel export verify" on this folder to re-check it.',
  models: 'Models', model: 'Model', role: 'Role', version: 'Version', licence: 'Licence', sha256: 'SHA-256',
  thresholds: 'Thresholds and parameters', sources: 'Sources', path: 'Path', kind: 'Kind', addedBy: 'Added by', addedAt: 'Added',
  originals: 'Originals', originalsText: '{n} originals in the case; all are listed with their SHA-256 in originals.csv and manifest.json.',
  unavailable: 'Problems during export',
  identities: 'Identities', identity: 'Identity', unnamed: '(unnamed)', confirmed: 'confirmed by an examiner', auto: 'automatic grouping, not confirmed', faces: 'faces',
  moreFaces: '{n} more faces: see faces.csv and crops/.', sightings: 'Timeline of sightings', when: 'When', where: 'Where', ageEst: 'Est. age',
  searches: '1:N searches', search: 'Search', probes: 'Probes', hits: 'Candidates', rank: 'Rank', score: 'Score', top: 'top', threshold: 'threshold',
  alarms: 'Watchlist alarms', alarm: 'Alarm', subject: 'Subject', watchlist: 'Watchlist', status: 'Status', decidedBy: 'Decided by', clip: 'Clip', subjectRetired: 'subject since retired from the list', reference: 'Reference', removedPhoto: 'removed',
  comparisons: '1:1 comparisons', comparison: 'Comparison', fused: 'Fused score', lr: 'Likelihood ratio', verbal: 'Verbal scale (software)', decision: 'Threshold decision', warnings: 'Warnings',
  caseNotes: 'Case notes', annotations: 'Annotations and conclusions', conclusion: 'Examiner conclusion', note: 'Note', tag: 'Tag', bookmark: 'Bookmark', withdrawn: 'withdrawn',
  limitations: 'Limitations', audit: 'Audit trail excerpt', auditOk: 'The case audit chain verifies: {rows} rows, head {head}.', auditBad: 'THE CASE AUDIT CHAIN DOES NOT VERIFY: {problem}.',
  auditMore: '{n} audit rows in this excerpt; the whole log is in audit.csv and audit.json.', at: 'Time', actor: 'Actor', action: 'Action', target: 'Target',
  redacted: 'Faces that are not subjects of this report are blurred in exported frames and pixelated in every frame of the exported video clips (redaction; in clips a face is followed between the frames it was detected in). Only faces the detector found are hidden: check every frame before disclosure.',
  clips: 'Video clips', clipsText: 'A clip of each exported sighting with 2 s before and after (at least 10 s where the video allows); clips the case held were copied after their SHA-256 was checked, the others were cut at export from the original after its SHA-256 was checked.', clipFile: 'File', clipSpan: 'Span', clipOrigin: 'Origin', clipRedacted: 'Redacted frames', clipCut: 'cut at export', clipCopied: 'case clip {id}',
  none: 'None.', frame: 'Frame',
};
export type ReportLabels = typeof EN;

const ZH: ReportLabels = {
  title: '人脸检验报告',
  case: '案件', examiner: '检验人', exportedAt: '导出时间', software: '软件', profile: '模型配置', createdAt: '案件创建时间', createdBy: '案件创建人',
  selection: '导出范围', page: '第', of: '页，共',
  summary: '摘要', summaryText: '本报告包含 {identities} 个身份、{searches} 次检索、{alarms} 条告警和 {comparisons} 次一比一比对，涉及 {media} 个原始文件中的 {faces} 张人脸。所有导出文件和原始文件的 SHA-256 均列于 manifest.json；可对本文件夹运行 "kestrel export verify" 进行复核。',
  models: '模型', model: '模型', role: '用途', version: '版本', licence: '许可证', sha256: 'SHA-256',
  thresholds: '阈值与参数', sources: '证据来源', path: '路径', kind: '类型', addedBy: '添加人', addedAt: '添加时间',
  originals: '原始文件', originalsText: '案件共有 {n} 个原始文件，均连同 SHA-256 列于 originals.csv 和 manifest.json。',
  unavailable: '导出时发现的问题',
  identities: '身份', identity: '身份', unnamed: '（未命名）', confirmed: '已由检验人确认', auto: '自动归组，未经确认', faces: '张人脸',
  moreFaces: '另有 {n} 张人脸：见 faces.csv 和 crops/。', sightings: '出现时间线', when: '时间', where: '位置', ageEst: '估计年龄',
  searches: '一比多检索', search: '检索', probes: '检索样本', hits: '候选', rank: '名次', score: '分数', top: '前', threshold: '阈值',
  alarms: '布控告警', alarm: '告警', subject: '对象', watchlist: '布控名单', status: '状态', decidedBy: '处理人', clip: '片段', subjectRetired: '该对象此后已从名单撤销', reference: '参考照片', removedPhoto: '已移除',
  comparisons: '一比一比对', comparison: '比对', fused: '融合分数', lr: '似然比', verbal: '语言等级（软件）', decision: '阈值判定', warnings: '警告',
  caseNotes: '案件笔记', annotations: '标注与结论', conclusion: '检验人结论', note: '备注', tag: '标签', bookmark: '书签', withdrawn: '已撤回',
  limitations: '局限性说明', audit: '审计记录摘录', auditOk: '案件审计链校验通过：{rows} 条记录，末条哈希 {head}。', auditBad: '案件审计链校验失败：{problem}。',
  auditMore: '本摘录共 {n} 条审计记录；完整日志见 audit.csv 和 audit.json。', at: '时间', actor: '操作人', action: '操作', target: '对象',
  redacted: '导出的画面中非本报告对象的人脸已模糊处理，导出视频片段的每一帧中亦已马赛克处理（脱敏；在片段中会在检测到人脸的帧之间跟踪该人脸）。只有检测到的人脸会被隐藏：披露前请逐一检查画面。',
  clips: '视频片段', clipsText: '每个导出的出现片段前后各留 2 秒（视频允许时至少 10 秒）；案件中已有的片段在核对 SHA-256 后复制，其余在导出时从核对过 SHA-256 的原始文件中截取。', clipFile: '文件', clipSpan: '时段', clipOrigin: '来源', clipRedacted: '脱敏帧数', clipCut: '导出时截取', clipCopied: '案件片段 {id}',
  none: '无。', frame: '画面',
};

export const LABELS: Record<ReportLang, ReportLabels> = { en: EN, zh: ZH };

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/**
 * The limitations every report carries, from this project's own measurements (README, "Accuracy"):
 * what the numbers mean for children, ageing and poor images. Stated so a reader cannot mistake a
 * candidate list for an identification.
 */
export const LIMITATIONS: Record<ReportLang, readonly string[]> = {
  en: [
    'Search results are candidates for human review, not identifications. Every candidate must be compared by a trained examiner before any conclusion is drawn.',
    'Accuracy is lower for children and across large age gaps: on the FG-NET ageing set, a child photo found the same person within the top 5 candidates in about half of the searches only. A missing candidate does not exclude a person.',
    'Small, blurred, dark, occluded or strongly turned faces give less reliable scores; each face carries a quality score, and comparisons warn when a face is outside what the calibration covered.',
    'Estimated ages are model estimates with errors of several years (larger for children and the elderly); they are not evidence of age.',
    'Likelihood ratios are calibrated on public research data of adult faces; their verbal equivalents follow the ENFSI scale and are bounded by what that data can support.',
    'Automatic identity groupings are suggestions; only groupings marked as confirmed were checked by an examiner.',
  ],
  zh: [
    '检索结果只是供人工复核的候选，并非身份认定。得出任何结论之前，每个候选都必须由经过培训的检验人进行比对。',
    '儿童照片及较大年龄跨度下准确率较低：在 FG-NET 年龄数据集上，儿童照片仅在约一半的检索中于前 5 名候选中找到本人。未出现在候选中并不能排除某人。',
    '过小、模糊、过暗、被遮挡或大角度的人脸得分可靠性较低；每张人脸都带有质量分数，比对时若人脸超出校准数据覆盖范围会给出警告。',
    '估计年龄是模型估计值，误差可达数年（儿童和老年人更大），不能作为年龄证据。',
    '似然比基于成年人脸的公开研究数据进行校准；其语言等级遵循 ENFSI 标准，并受该数据所能支持的范围限制。',
    '自动身份归组只是建议；只有标记为已确认的归组经过检验人核查。',
  ],
};

