import type { ExportContent } from './exportContent.js';
import type { FaceEvidence } from './exportData.js';
import type { FileSink } from './exportManifest.js';

/**
 * CASE 1.x / UCO 1.x JSON-LD (https://caseontology.org). The context is inline (no remote context
 * to fetch: the file parses offline). Faces have no UCO class of their own, so each is an
 * observable object with a Kestrel facet (box, frame time, scores) in the `kestrel:` namespace;
 * everything else uses CASE/UCO terms: files with SHA-256 hashes, the tool and models, the detection
 * actions that produced each face (instrument, object, result) and examiner annotations.
 */
export const CASE_UCO_CONTEXT = {
  kb: 'urn:kestrel:kb:',
  kestrel: 'urn:kestrel:ontology:',
  'case-investigation': 'https://ontology.caseontology.org/case/investigation/',
  'uco-action': 'https://ontology.unifiedcyberontology.org/uco/action/',
  'uco-core': 'https://ontology.unifiedcyberontology.org/uco/core/',
  'uco-identity': 'https://ontology.unifiedcyberontology.org/uco/identity/',
  'uco-observable': 'https://ontology.unifiedcyberontology.org/uco/observable/',
  'uco-tool': 'https://ontology.unifiedcyberontology.org/uco/tool/',
  'uco-types': 'https://ontology.unifiedcyberontology.org/uco/types/',
  'uco-vocabulary': 'https://ontology.unifiedcyberontology.org/uco/vocabulary/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

const hash = (sha: string) => ({
  '@type': 'uco-types:Hash',
  'uco-types:hashMethod': { '@type': 'uco-vocabulary:HashNameVocab', '@value': 'SHA256' },
  'uco-types:hashValue': { '@type': 'xsd:hexBinary', '@value': sha },
});
const ref = (id: string) => ({ '@id': id });
const dt = (iso: string) => ({ '@type': 'xsd:dateTime', '@value': iso });

export async function writeCaseUco(sink: FileSink, c: ExportContent, o: {
  caseName: string; software: string; version: string; examiner: string; exportedAt: string;
  models: readonly { id: string; sha256: string; role: string; version: string }[]; evidence: ReadonlyMap<number, FaceEvidence>;
}): Promise<void> {
  let first = true;
  const emit = async (node: Record<string, unknown>): Promise<void> => {
    await sink.write(`${first ? '' : ','}\n${JSON.stringify(node)}`);
    first = false;
  };
  await sink.write(`{"@context":${JSON.stringify(CASE_UCO_CONTEXT)},"@graph":[`);
  const tool = 'kb:tool-kestrel';
  await emit({ '@id': tool, '@type': 'uco-tool:Tool', 'uco-core:name': o.software, 'uco-tool:version': o.version, 'uco-tool:toolType': 'face detection, recognition and comparison' });
  for (const m of o.models) {
    await emit({ '@id': `kb:model-${m.id}`, '@type': 'uco-tool:Tool', 'uco-core:name': m.id, 'uco-tool:version': m.version, 'uco-tool:toolType': m.role,
      'uco-core:hasFacet': [{ '@type': 'uco-observable:ContentDataFacet', 'uco-observable:hash': [hash(m.sha256)] }] });
  }
  const people = new Map<string, string>();
  const person = async (name: string): Promise<string> => {
    let id = people.get(name);
    if (!id) {
      id = `kb:examiner-${people.size + 1}`;
      people.set(name, id);
      await emit({ '@id': id, '@type': 'uco-identity:Person', 'uco-core:name': name });
    }
    return id;
  };
  const examiner = await person(o.examiner);
  for (const m of c.media.values()) {
    const l = m.locations[0];
    await emit({ '@id': `kb:file-${m.sha256}`, '@type': 'uco-observable:File', 'uco-core:hasFacet': [
      { '@type': 'uco-observable:FileFacet', 'uco-observable:fileName': l ? (l.entry || l.path).split(/[\\/]/).pop() : m.sha256, 'uco-observable:filePath': l ? (l.entry ? `${l.path}!/${l.entry}` : l.path) : '', 'uco-observable:sizeInBytes': m.bytes },
      { '@type': 'uco-observable:ContentDataFacet', 'uco-observable:hash': [hash(m.sha256)], 'uco-observable:mimeType': `${m.kind}/${m.format ?? 'unknown'}` },
    ] });
  }
  const modelRefs = o.models.filter((m) => m.role === 'detector' || m.role === 'landmarker' || m.role === 'recognizer').map((m) => ref(`kb:model-${m.id}`));
  for (const f of [...c.faces.values()].sort((a, b) => a.id - b.id)) {
    const m = c.media.get(f.mediaId);
    const e = o.evidence.get(f.id);
    const face = `kb:face-${f.id}`;
    await emit({ '@id': face, '@type': 'uco-observable:ObservableObject', 'uco-core:name': `face ${f.id}`, 'uco-core:hasFacet': [{
      '@type': 'kestrel:FaceFacet', 'kestrel:faceId': f.id, 'kestrel:sourceSha256': m?.sha256 ?? null, 'kestrel:frameTimeMs': f.frameMs,
      'kestrel:box': { 'kestrel:x': f.x, 'kestrel:y': f.y, 'kestrel:width': f.w, 'kestrel:height': f.h },
      'kestrel:detectorScore': f.detScore, 'kestrel:quality': f.quality, 'kestrel:estimatedAge': f.age, 'kestrel:identityId': f.identityId, 'kestrel:trackId': f.trackId,
      'kestrel:cropFile': e?.crop ?? null, 'kestrel:frameFile': e?.frame ?? null,
    }] });
    if (m) {
      await emit({ '@id': `kb:detection-${f.id}`, '@type': 'uco-action:Action', 'uco-core:name': 'face detection and embedding', 'uco-action:instrument': [ref(tool), ...modelRefs],
        'uco-action:object': [ref(`kb:file-${m.sha256}`)], 'uco-action:result': [ref(face)] });
    }
  }
  const target = (kind: string, id: number): string => (kind === 'face' ? `kb:face-${id}` : `kb:${kind}-${id}`);
  for (const i of c.identities) {
    await emit({ '@id': `kb:identity-${i.id}`, '@type': 'uco-core:Grouping', 'uco-core:name': i.name ?? `identity ${i.id}`, 'uco-core:description': i.status === 'confirmed' ? 'confirmed by an examiner' : 'automatic grouping, not confirmed',
      'uco-core:object': i.faces.map((f) => ref(`kb:face-${f}`)) });
  }
  for (const s of c.searches) {
    await emit({ '@id': `kb:search-${s.id}`, '@type': 'case-investigation:InvestigativeAction', 'uco-core:name': `1:N search ${s.id}`, 'uco-action:performer': ref(await person(s.examiner)),
      'uco-action:startTime': dt(s.at), 'uco-action:instrument': [ref(tool)], 'uco-action:result': s.hits.map((h) => ref(`kb:face-${h.faceId}`)),
      'kestrel:parameters': JSON.stringify(s.params), 'kestrel:scores': s.hits.map((h) => ({ 'kestrel:rank': h.rank, 'kestrel:faceId': h.faceId, 'kestrel:score': h.score })) });
  }
  for (const a of c.alarms) {
    await emit({ '@id': `kb:alarm-${a.id}`, '@type': 'uco-action:Action', 'uco-core:name': `watchlist alarm ${a.id}: ${a.subject}`, 'uco-action:startTime': dt(a.raisedAt),
      'uco-action:instrument': [ref(tool)], 'uco-action:result': [ref(`kb:face-${a.faceId}`)], 'kestrel:score': a.score, 'kestrel:threshold': a.threshold, 'kestrel:status': a.status });
  }
  for (const k of c.comparisons) {
    await emit({ '@id': `kb:comparison-${k.id}`, '@type': 'case-investigation:InvestigativeAction', 'uco-core:name': `1:1 comparison ${k.id}`, 'uco-action:performer': ref(await person(k.examiner)),
      'uco-action:startTime': dt(k.at), 'uco-action:instrument': [ref(tool)], 'uco-action:object': [k.faceA, k.faceB].flatMap((f) => (f === null ? [] : [ref(`kb:face-${f}`)])),
      'kestrel:fusedScore': k.result.fused, 'kestrel:log10LikelihoodRatio': k.result.evidence?.log10Lr ?? null });
  }
  for (const a of c.annotations) {
    await emit({ '@id': `kb:annotation-${a.id}`, '@type': 'uco-core:Annotation', 'uco-core:statement': [a.kind, a.tag, a.scale, a.body].filter(Boolean).join(': '),
      'uco-core:object': [ref(target(a.target.kind, a.target.id))], 'uco-core:createdBy': ref(await person(a.examiner)), 'uco-core:objectCreatedTime': dt(a.createdAt),
      ...(a.withdrawn ? { 'kestrel:withdrawn': { 'kestrel:at': a.withdrawn.at, 'kestrel:by': a.withdrawn.by, 'kestrel:reason': a.withdrawn.reason } } : {}) });
  }
  await emit({ '@id': 'kb:investigation', '@type': 'case-investigation:Investigation', 'uco-core:name': o.caseName, 'uco-core:createdBy': ref(examiner),
    'uco-core:objectCreatedTime': dt(o.exportedAt), 'uco-core:object': [...c.identities.map((i) => ref(`kb:identity-${i.id}`)), ...c.searches.map((s) => ref(`kb:search-${s.id}`)),
      ...c.alarms.map((a) => ref(`kb:alarm-${a.id}`)), ...c.comparisons.map((k) => ref(`kb:comparison-${k.id}`))] });
  await sink.write('\n]}\n');
  await sink.done();
}
