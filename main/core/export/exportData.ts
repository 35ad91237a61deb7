import type { AuditEntry } from '../repositories/auditRepository.js';
import type { ExportMediaRow } from '../repositories/exportRepository.js';
import { csvField, SEARCH_CSV_COLUMNS, searchToCsv } from '../search/searchExport.js';
import type { ExportContent } from './exportContent.js';
import type { ExportWriter } from './exportManifest.js';
import type { ExportedClip } from './exportClips.js';

const line = (cells: readonly (string | number | null)[]): string => `${cells.map(csvField).join(',')}\r\n`;
const where = (m: ExportMediaRow | undefined): string => {
  const l = m?.locations[0];
  return l ? (l.entry ? `${l.path}!/${l.entry}` : l.path) : '';
};

/** Where each face's evidence files went, and whether the crop came from the verified original. */
export interface FaceEvidence { readonly crop: string | null; readonly frame: string | null; readonly from: 'original' | 'case thumbnail' | 'none' }

/**
 * The export's machine-readable data: CSV (RFC 4180, formula-safe) and JSON of the same content as
 * the report, plus the full audit log and every original of the case (streamed: a large case is
 * never held as one string).
 */
export async function writeExportData(w: ExportWriter, c: ExportContent, evidence: ReadonlyMap<number, FaceEvidence>, clips: readonly ExportedClip[], o: { csv: boolean; json: boolean; header: Record<string, unknown>; originals: () => Iterable<ExportMediaRow>; audit: () => Iterable<AuditEntry> }): Promise<void> {
  const identityName = new Map(c.identities.map((i) => [i.id, i.name] as const));
  const faceRows = [...c.faces.values()].sort((a, b) => a.id - b.id);
  if (o.csv) {
    let csv = line(['face_id', 'identity_id', 'identity_name', 'subject', 'media_id', 'media_sha256', 'media_path', 'frame_ms', 'track_id', 'box_x', 'box_y', 'box_w', 'box_h',
      'detector_score', 'quality', 'estimated_age', 'estimated_gender', 'crop_file', 'frame_file', 'crop_from']);
    for (const f of faceRows) {
      const m = c.media.get(f.mediaId);
      const e = evidence.get(f.id);
      csv += line([f.id, f.identityId, f.identityId === null ? null : identityName.get(f.identityId) ?? null, c.selectedFaces.has(f.id) ? 'yes' : 'no', f.mediaId, m?.sha256 ?? null, where(m), f.frameMs,
        f.trackId, f.x.toFixed(1), f.y.toFixed(1), f.w.toFixed(1), f.h.toFixed(1), f.detScore.toFixed(4), f.quality.toFixed(4), f.age === null ? null : f.age.toFixed(1), f.gender,
        e?.crop ?? null, e?.frame ?? null, e?.from ?? 'none']);
    }
    await w.write('data/faces.csv', csv);
    await w.write('data/identities.csv', line(['identity_id', 'name', 'status', 'faces']) + c.identities.map((i) => line([i.id, i.name, i.status, i.faces.length])).join(''));
    await w.write('data/searches.csv', line([...SEARCH_CSV_COLUMNS]) + c.searches.map((s) => searchToCsv(s).split('\r\n').slice(1).filter(Boolean).map((r) => `${r}\r\n`).join('')).join(''));
    await w.write('data/alarms.csv', line(['alarm_id', 'subject', 'watchlist', 'face_id', 'track_id', 'media_path', 'frame_ms', 'score', 'threshold', 'raised_at', 'status', 'decided_by', 'decided_at', 'decision_note', 'clip_sha256', 'subject_retired_at', 'subject_retire_reason'])
      + c.alarms.map((a) => line([a.id, a.subject, a.watchlist, a.faceId, a.trackId, a.mediaPath, a.frameMs, a.score.toFixed(4), a.threshold.toFixed(4), a.raisedAt, a.status, a.decidedBy, a.decidedAt, a.decisionNote, a.clipSha256,
        a.subjectRetiredAt, a.subjectRetireReason])).join(''));
    await w.write('data/comparisons.csv', line(['comparison_id', 'at', 'examiner', 'a', 'b', 'fused', 'log10_lr', 'verbal', 'threshold', 'decision', 'warnings'])
      + c.comparisons.map((k) => line([k.id, k.at, k.examiner, k.refA, k.refB, k.result.fused.toFixed(4), k.result.evidence ? k.result.evidence.log10Lr.toFixed(3) : null,
        k.result.evidence ? `${k.result.evidence.strength} support for ${k.result.evidence.supports}` : null, k.result.threshold, k.result.decision, k.result.warnings.map((x) => x.code).join(' ')])).join(''));
    await w.write('data/annotations.csv', line(['annotation_id', 'target', 'kind', 'tag', 'scale', 'text', 'examiner', 'created_at', 'withdrawn_at', 'withdrawn_by', 'withdraw_reason'])
      + c.annotations.map((a) => line([a.id, `${a.target.kind}:${a.target.id}`, a.kind, a.tag, a.scale, a.body, a.examiner, a.createdAt, a.withdrawn?.at ?? null, a.withdrawn?.by ?? null, a.withdrawn?.reason ?? null])).join(''));
    await w.write('data/clips.csv', line(['file', 'track_id', 'media_id', 'start_ms', 'end_ms', 'origin', 'redacted', 'redacted_frames'])
      + clips.map((k) => line([k.file, k.trackId, k.mediaId, k.startMs, k.endMs, k.origin, k.redacted ? 'yes' : 'no', k.redactedFrames])).join(''));
    const orig = await w.sink('data/originals.csv');
    await orig.write(line(['media_id', 'sha256', 'bytes', 'kind', 'format', 'width', 'height', 'captured_at', 'status', 'locations']));
    for (const m of o.originals()) await orig.write(line([m.id, m.sha256, m.bytes, m.kind, m.format, m.width, m.height, m.capturedAt, m.status, m.locations.map((l) => (l.entry ? `${l.path}!/${l.entry}` : l.path)).join(' | ')]));
    await orig.done();
    const audit = await w.sink('data/audit.csv');
    await audit.write(line(['id', 'at', 'actor', 'action', 'target', 'details', 'prev_hash', 'hash']));
    for (const e of o.audit()) await audit.write(line([e.id, e.at, e.actor, e.action, e.target, e.details, e.prevHash, e.hash]));
    await audit.done();
  }
  if (o.json) {
    const s = await w.sink('data/export.json');
    await s.write(`{"header":${JSON.stringify(o.header)},"selection":${JSON.stringify(c.selection)},"identities":${JSON.stringify(c.identities)},"searches":${JSON.stringify(c.searches)},`
      + `"alarms":${JSON.stringify(c.alarms)},"comparisons":${JSON.stringify(c.comparisons)},"tracks":${JSON.stringify(c.tracks)},"clips":${JSON.stringify(clips)},"annotations":${JSON.stringify(c.annotations)},`
      + `"sources":${JSON.stringify(c.sources)},"auditCheck":${JSON.stringify(c.auditCheck)},"media":${JSON.stringify([...c.media.values()])},"faces":[`);
    let first = true;
    for (const f of faceRows) {
      await s.write(`${first ? '' : ','}${JSON.stringify({ ...f, subject: c.selectedFaces.has(f.id), evidence: evidence.get(f.id) ?? null })}`);
      first = false;
    }
    await s.write(']}\n');
    await s.done();
    const a = await w.sink('data/audit.json');
    await a.write('[');
    first = true;
    for (const e of o.audit()) { await a.write(`${first ? '' : ','}\n${JSON.stringify(e)}`); first = false; }
    await a.write('\n]\n');
    await a.done();
  }
}
