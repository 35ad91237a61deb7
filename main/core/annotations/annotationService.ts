import { KestrelError, type AnnotationDto, type AnnotationKind, type AnnotationTarget, type ConclusionScale, type TagDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { AnnotationRepository } from '../repositories/annotationRepository.js';
import type { AuditRepository } from '../repositories/auditRepository.js';

export interface AnnotationDeps {
  readonly db: Db;
  readonly annotations: AnnotationRepository;
  readonly audit: AuditRepository;
}

export interface NewAnnotation {
  readonly target: AnnotationTarget;
  readonly kind: AnnotationKind;
  readonly tag?: string | undefined;
  readonly body?: string | undefined;
  readonly scale?: ConclusionScale | undefined;
  readonly examiner: string;
}

const ref = (t: AnnotationTarget): string => `${t.kind}:${t.id}`;

/**
 * Examiner annotations: each is checked (the target exists, a tag is in the case's vocabulary, a
 * conclusion on a 1:1 comparison states a verbal-scale opinion) and written with its audit row in
 * one transaction. Nothing is ever deleted: withdrawing keeps the text and records why.
 */
export class AnnotationService {
  constructor(private readonly d: AnnotationDeps) {}

  add(a: NewAnnotation): AnnotationDto {
    const body = (a.body ?? '').trim();
    const tag = a.tag?.trim() || null;
    const scale = a.scale ?? null;
    if (a.kind === 'tag' && !tag) throw new KestrelError('INVALID_INPUT', 'A tag annotation needs a tag name');
    if (a.kind !== 'tag' && tag) throw new KestrelError('INVALID_INPUT', `A ${a.kind} does not take a tag (add a tag annotation instead)`);
    if (a.kind === 'note' && !body) throw new KestrelError('INVALID_INPUT', 'A note needs text');
    if (a.kind !== 'conclusion' && scale) throw new KestrelError('INVALID_INPUT', 'Only a conclusion takes a verbal-scale opinion');
    if (a.kind === 'conclusion') {
      if (a.target.kind === 'comparison' && !scale) throw new KestrelError('INVALID_INPUT', 'A conclusion on a 1:1 comparison needs a verbal-scale opinion (for example "strong support for same person")');
      if (!scale && !body) throw new KestrelError('INVALID_INPUT', 'A conclusion needs a verbal-scale opinion or text');
    }
    const tx = this.d.db.transaction((): number => {
      if (!this.d.annotations.targetExists(a.target)) throw new KestrelError('NOT_FOUND', `No ${a.target.kind} ${a.target.id} in this case`);
      if (tag && !this.d.annotations.tag(tag)) throw new KestrelError('INVALID_INPUT', `Tag "${tag}" is not in this case's vocabulary; define it first (kestrel tag define)`);
      const at = new Date().toISOString();
      const id = this.d.annotations.insert({ target: a.target, kind: a.kind, tag, body, scale, examiner: a.examiner, at });
      this.d.audit.append(a.examiner, `annotation.${a.kind}`, ref(a.target), { annotation: id, tag, body, scale });
      return id;
    });
    return this.d.annotations.get(tx())!;
  }

  withdraw(id: number, reason: string, examiner: string): AnnotationDto {
    const why = reason.trim();
    if (!why) throw new KestrelError('INVALID_INPUT', 'Say why the annotation is withdrawn');
    this.d.db.transaction(() => {
      const a = this.d.annotations.get(id);
      if (!a) throw new KestrelError('NOT_FOUND', `No annotation ${id} in this case`);
      if (a.withdrawn) throw new KestrelError('INVALID_INPUT', `Annotation ${id} was already withdrawn by ${a.withdrawn.by} at ${a.withdrawn.at}`);
      this.d.annotations.withdraw(id, examiner, why, new Date().toISOString());
      this.d.audit.append(examiner, 'annotation.withdrawn', ref(a.target), { annotation: id, reason: why, was: { kind: a.kind, tag: a.tag, body: a.body, scale: a.scale } });
    })();
    return this.d.annotations.get(id)!;
  }

  defineTag(name: string, description: string, examiner: string): TagDto {
    const n = name.trim();
    this.d.db.transaction(() => {
      if (this.d.annotations.tag(n)) throw new KestrelError('INVALID_INPUT', `Tag "${n}" is already defined in this case`);
      this.d.annotations.defineTag(n, description.trim(), examiner, new Date().toISOString());
      this.d.audit.append(examiner, 'tag.defined', `tag:${n}`, { description: description.trim() });
    })();
    return this.d.annotations.tag(n)!;
  }
}
