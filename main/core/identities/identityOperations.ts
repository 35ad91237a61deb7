import { KestrelError, type IdentityOpDto } from '../../contract/index.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { IdentityRepository, IdentityRow } from '../repositories/identityRepository.js';
import type { Db } from '../db/database.js';

export interface OperationDeps {
  readonly db: Db;
  readonly identities: IdentityRepository;
  readonly audit: AuditRepository;
}

export type IdentityOpKind = 'name' | 'confirm' | 'hide' | 'merge' | 'split' | 'move' | 'reject';

export type OpResult = IdentityOpDto;

interface OpDetails {
  readonly before: { readonly faces: [number, number | null][]; readonly identities: IdentityRow[] };
  readonly after: { readonly faces: [number, number | null][] };
  readonly created: number[];
  readonly args: Record<string, unknown>;
}

/**
 * Examiner operations on identities. Each one is a transaction that (1) records the membership and
 * identity rows before it, (2) changes membership, (3) adds the constraints that make every later
 * clustering honour the decision (must-link: these faces are one person; cannot-link: these are
 * not), and (4) is audited with the membership before and after. `undo` reverses the last
 * operation not yet undone, constraints included.
 */
export class IdentityOperations {
  constructor(private readonly deps: OperationDeps) {}

  name(id: number, name: string | null, examiner: string): OpResult {
    this.identity(id);
    const clean = name === null ? null : name.trim();
    if (clean !== null && (!clean || clean.length > 200)) throw new KestrelError('INVALID_INPUT', 'A name must have 1 to 200 characters');
    return this.run('name', examiner, [id], { id, name: clean }, (now) => this.deps.identities.update(id, { name: clean }, now));
  }

  hide(id: number, hidden: boolean, examiner: string): OpResult {
    this.identity(id);
    return this.run('hide', examiner, [id], { id, hidden }, (now) => this.deps.identities.update(id, { hidden }, now));
  }

  /** Confirmed: never merged or split by clustering again; its faces are must-linked. */
  confirm(id: number, examiner: string): OpResult {
    this.identity(id);
    const faces = this.deps.identities.facesOf(id);
    if (!faces.length) throw new KestrelError('INVALID_INPUT', `Identity ${id} has no faces`);
    return this.run('confirm', examiner, [id], { id }, (now, op) => {
      this.deps.identities.update(id, { status: 'confirmed' }, now);
      this.chain('must', faces, op);
    });
  }

  merge(ids: readonly number[], examiner: string): OpResult {
    const unique = [...new Set(ids)].sort((a, b) => a - b);
    if (unique.length < 2) throw new KestrelError('INVALID_INPUT', 'Merge needs at least two identities');
    const rows = unique.map((i) => this.identity(i));
    const faces = unique.map((i) => this.deps.identities.facesOf(i));
    for (let x = 0; x < unique.length; x++) for (let y = x + 1; y < unique.length; y++) this.refuseCannot(faces[x]!, faces[y]!, `identities ${unique[x]} and ${unique[y]}`);
    const target = unique[0]!;
    const name = rows.find((r) => r.name !== null)?.name ?? null;
    const confirmed = rows.some((r) => r.status === 'confirmed');
    // Every face the examiner saw in the merged identities stays in it: one must-link per face
    // (linking only one face of each side let a full re-clustering spread the others again, as it
    // did on FG-NET photos of one person).
    return this.run('merge', examiner, unique, { ids: unique, into: target }, (now, op) => {
      for (let x = 1; x < unique.length; x++) this.deps.identities.assign(faces[x]!, target);
      this.deps.identities.update(target, { name, ...(confirmed ? { status: 'confirmed' as const } : {}) }, now);
      this.chain('must', faces.flat(), op);
      for (const i of unique.slice(1)) this.deps.identities.remove(i);
    });
  }

  /** The selected faces become a new identity, never again joined with the rest. */
  split(id: number, faceIds: readonly number[], examiner: string): OpResult {
    const row = this.identity(id);
    const selected = this.membersOf(id, faceIds);
    const rest = this.deps.identities.facesOf(id).filter((f) => !selected.includes(f));
    if (!rest.length) throw new KestrelError('INVALID_INPUT', 'Split must leave at least one face in the identity');
    let created = 0;
    const r = this.run('split', examiner, [id], { id, faces: selected }, (now, op) => {
      created = this.deps.identities.create(now);
      if (row.status === 'confirmed') this.deps.identities.update(created, { status: 'confirmed' }, now);
      this.deps.identities.assign(selected, created);
      this.chain('must', selected, op);
      for (const f of rest) this.deps.identities.addConstraint('cannot', selected[0]!, f, op);
    });
    return { ...r, identities: [id, created] };
  }

  /** Faces (whole tracks) move to another identity and stay with it. */
  move(faceIds: readonly number[], to: number, examiner: string): OpResult {
    this.identity(to);
    const faces = this.existing(faceIds);
    const targetFaces = this.deps.identities.facesOf(to).filter((f) => !faces.includes(f));
    if (!targetFaces.length) throw new KestrelError('INVALID_INPUT', `Identity ${to} has no faces to move faces to`);
    this.refuseCannot(faces, targetFaces, `the faces and identity ${to}`);
    const from = [...new Set(faces.map((f) => this.deps.identities.identityOf(f)).filter((x): x is number => x !== null))];
    return this.run('move', examiner, [...from, to], { faces, to }, (_now, op) => {
      this.deps.identities.assign(faces, to);
      for (const f of faces) this.deps.identities.addConstraint('must', targetFaces[0]!, f, op);
      for (const i of from) this.deps.identities.remove(i);
    });
  }

  /** "Not this person": each face (whole track) leaves the identity and can never rejoin it. */
  reject(id: number, faceIds: readonly number[], examiner: string): OpResult {
    this.identity(id);
    const selected = this.membersOf(id, faceIds);
    const rest = this.deps.identities.facesOf(id).filter((f) => !selected.includes(f));
    const createdIds: number[] = [];
    const r = this.run('reject', examiner, [id], { id, faces: selected }, (now, op) => {
      // One new identity per sighting: a track's faces stay together.
      const units = new Map<string, number[]>();
      const trackOf = this.deps.db.prepare('SELECT track_id FROM faces WHERE id = ?').pluck();
      for (const f of selected) {
        const t = trackOf.get(f) as number | null;
        const key = t === null ? `f${f}` : `t${t}`;
        units.set(key, [...(units.get(key) ?? []), f]);
      }
      for (const fs of units.values()) {
        const nid = this.deps.identities.create(now);
        createdIds.push(nid);
        this.deps.identities.assign(fs, nid);
        for (const f of fs) for (const g of rest) this.deps.identities.addConstraint('cannot', f, g, op);
      }
      if (!rest.length) this.deps.identities.remove(id);
    });
    return { ...r, identities: [id, ...createdIds] };
  }

  /** Reverses the last operation not yet undone: membership, identity rows and constraints. */
  undo(examiner: string): OpResult {
    const last = this.deps.identities.lastOp();
    if (!last) throw new KestrelError('NOT_FOUND', 'No identity operation to undo');
    const d = JSON.parse(last.details) as OpDetails;
    const now = new Date().toISOString();
    this.deps.db.transaction(() => {
      for (const row of d.before.identities) this.deps.identities.restore(row);
      const byIdentity = new Map<number | null, number[]>();
      for (const [f, i] of d.before.faces) byIdentity.set(i, [...(byIdentity.get(i) ?? []), f]);
      for (const [i, fs] of byIdentity) this.deps.identities.assign(fs.filter((f) => this.deps.identities.faceExists(f)), i);
      for (const c of d.created) this.deps.identities.remove(c);
      const constraints = this.deps.identities.removeConstraintsOf(last.id);
      this.deps.identities.markUndone(last.id, now);
      this.deps.audit.append(examiner, 'identity.undo', `identity-op:${last.id}`, {
        undone: { op: last.id, kind: last.kind, by: last.examiner, at: last.at }, constraintsRemoved: constraints,
        before: d.after.faces, after: d.before.faces,
      });
    })();
    return { op: last.id, kind: 'undo', identities: d.before.identities.map((r) => r.id) };
  }

  private run(kind: IdentityOpKind, examiner: string, ids: readonly number[], args: Record<string, unknown>, change: (now: string, op: number) => void): OpResult {
    const now = new Date().toISOString();
    let opId = 0;
    this.deps.db.transaction(() => {
      const identityRows = ids.map((i) => this.deps.identities.get(i)).filter((r): r is IdentityRow => r !== null);
      const touched = new Set<number>(ids.flatMap((i) => this.deps.identities.facesOf(i)));
      for (const f of (args['faces'] as number[] | undefined) ?? []) touched.add(f);
      const faces = [...touched].sort((a, b) => a - b);
      const before = faces.map((f) => [f, this.deps.identities.identityOf(f)] as [number, number | null]);
      const maxBefore = this.deps.db.prepare('SELECT coalesce(max(id), 0) FROM identities').pluck().get() as number;
      opId = this.deps.identities.addOp(now, examiner, kind, { before: { faces: before, identities: identityRows }, after: { faces: [] }, created: [], args });
      change(now, opId);
      const created = this.deps.db.prepare('SELECT id FROM identities WHERE id > ? ORDER BY id').pluck().all(maxBefore) as number[];
      const after = faces.map((f) => [f, this.deps.identities.identityOf(f)] as [number, number | null]);
      const details: OpDetails = { before: { faces: before, identities: identityRows }, after: { faces: after }, created, args };
      this.deps.db.prepare('UPDATE identity_ops SET details = ? WHERE id = ?').run(JSON.stringify(details), opId);
      this.deps.audit.append(examiner, `identity.${kind}`, ids.map((i) => `identity:${i}`).join(' '), {
        op: opId, args, before: groupByIdentity(before), after: groupByIdentity(after), created,
      });
    })();
    return { op: opId, kind, identities: ids };
  }

  private identity(id: number): IdentityRow {
    const r = this.deps.identities.get(id);
    if (!r) throw new KestrelError('NOT_FOUND', `No identity ${id} in this case`);
    return r;
  }

  private existing(faceIds: readonly number[]): number[] {
    if (!faceIds.length) throw new KestrelError('INVALID_INPUT', 'No faces given');
    const missing = faceIds.filter((f) => !this.deps.identities.faceExists(f));
    if (missing.length) throw new KestrelError('NOT_FOUND', `No face ${missing.join(', ')} in this case`);
    return this.deps.identities.withTracks(faceIds);
  }

  private membersOf(id: number, faceIds: readonly number[]): number[] {
    const faces = this.existing(faceIds);
    const outside = faces.filter((f) => this.deps.identities.identityOf(f) !== id);
    if (outside.length) throw new KestrelError('INVALID_INPUT', `Face ${outside.join(', ')} is not in identity ${id}`);
    return faces;
  }

  private refuseCannot(a: readonly number[], b: readonly number[], what: string): void {
    const c = this.deps.identities.cannotBetween(a, b);
    if (c) throw new KestrelError('INVALID_INPUT', `Cannot join ${what}: faces ${c[0]} and ${c[1]} appear in one photo or frame, or were marked as different people`);
  }

  private chain(kind: 'must' | 'cannot', faces: readonly number[], op: number): void {
    for (let x = 1; x < faces.length; x++) this.deps.identities.addConstraint(kind, faces[0]!, faces[x]!, op);
  }
}

function groupByIdentity(rows: readonly [number, number | null][]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [f, i] of rows) (out[i === null ? 'none' : String(i)] ??= []).push(f);
  return out;
}
