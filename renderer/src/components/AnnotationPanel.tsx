import { useEffect, useState } from 'react';
import { CONCLUSION_SCALE, type AnnotationDto, type AnnotationKind, type AnnotationTarget, type ConclusionScale } from '../../../main/contract/index.js';
import { useAppState, useT } from '../appContext.js';
import { targetKey } from '../store/evidenceSlice.js';
import { uiError } from './uiError.js';

const KINDS: readonly AnnotationKind[] = ['note', 'tag', 'bookmark', 'conclusion'];
const NO_ANNOTATIONS: readonly AnnotationDto[] = [];

/**
 * Tags, notes, bookmarks and conclusions on one item: the list (withdrawn ones struck through, with
 * who withdrew them and why) and a form to add one. A conclusion takes a verbal-scale opinion, shown
 * beside the software's calibrated score where the item has one.
 */
export function AnnotationPanel({ target, conclusionFirst = false }: { target: AnnotationTarget; conclusionFirst?: boolean }): React.JSX.Element {
  const t = useT();
  const key = targetKey(target);
  const list = useAppState((s) => s.annotations[key] ?? NO_ANNOTATIONS);
  const tags = useAppState((s) => s.tags);
  const error = useAppState((s) => s.annotationError);
  const load = useAppState((s) => s.loadAnnotations);
  const loadTags = useAppState((s) => s.loadTags);
  const add = useAppState((s) => s.addAnnotation);
  const defineTag = useAppState((s) => s.defineTag);
  const [kind, setKind] = useState<AnnotationKind>(conclusionFirst ? 'conclusion' : 'note');
  const [body, setBody] = useState('');
  const [tag, setTag] = useState('');
  const [newTag, setNewTag] = useState('');
  const [scale, setScale] = useState<ConclusionScale | ''>('');

  useEffect(() => {
    void load(target);
    void loadTags();
  }, [key, load, loadTags]);

  const submit = async (): Promise<void> => {
    const ok = await add(target, { kind, ...(kind === 'tag' ? { tag } : { body: body.trim() }), ...(kind === 'conclusion' && scale ? { scale } : {}) });
    if (ok) { setBody(''); setScale(''); }
  };
  return (
    <section className="annotations" data-testid="annotations">
      <h3>{t('annot.title')}</h3>
      <ul className="annotation-list">
        {list.map((a) => <AnnotationItem key={a.id} a={a} target={target} />)}
        {!list.length && <li className="muted">{t('annot.none')}</li>}
      </ul>
      <div className="annotation-form">
        <select value={kind} onChange={(e) => setKind(e.target.value as AnnotationKind)} aria-label={t('annot.kind')} data-testid="annot-kind">
          {KINDS.map((k) => <option key={k} value={k}>{t(`annot.kind.${k}`)}</option>)}
        </select>
        {kind === 'tag' ? (
          <>
            <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label={t('annot.kind.tag')} data-testid="annot-tag">
              <option value="">{t('annot.chooseTag')}</option>
              {tags.map((x) => <option key={x.name} value={x.name} title={x.description}>{x.name}</option>)}
            </select>
            <input value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder={t('annot.newTag')} data-testid="annot-new-tag" />
            <button disabled={!newTag.trim()} onClick={() => void defineTag(newTag.trim(), '').then((ok) => { if (ok) { setTag(newTag.trim()); setNewTag(''); } })} data-testid="annot-define-tag">{t('annot.defineTag')}</button>
          </>
        ) : (
          <>
            {kind === 'conclusion' && (
              <select value={scale} onChange={(e) => setScale(e.target.value as ConclusionScale | '')} aria-label={t('annot.scale')} data-testid="annot-scale">
                <option value="">{t('annot.chooseScale')}</option>
                {CONCLUSION_SCALE.map((s) => <option key={s} value={s}>{t(`scale.${s}`)}</option>)}
              </select>
            )}
            <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={2} placeholder={t(kind === 'conclusion' ? 'annot.reasoning' : 'annot.text')} data-testid="annot-body" />
          </>
        )}
        <button className="primary" onClick={() => void submit()} data-testid="annot-add">{t('annot.add')}</button>
      </div>
      {error && <div className="warn" role="alert">{uiError(t, error)}</div>}
    </section>
  );
}

function AnnotationItem({ a, target }: { a: AnnotationDto; target: AnnotationTarget }): React.JSX.Element {
  const t = useT();
  const withdraw = useAppState((s) => s.withdrawAnnotation);
  const [reason, setReason] = useState<string | null>(null);
  return (
    <li className={a.withdrawn ? 'withdrawn' : ''} data-testid="annotation">
      <span className="kind">{t(`annot.kind.${a.kind}`)}</span>{' '}
      {a.tag && <span className="tag">{a.tag}</span>}{' '}
      {a.scale && <strong>{t(`scale.${a.scale}`)}</strong>}{a.scale && a.body ? ' — ' : ''}
      {a.body}
      <span className="muted small"> · {a.examiner} · {a.createdAt.slice(0, 16).replace('T', ' ')}</span>
      {a.withdrawn ? (
        <div className="muted small">{t('annot.withdrawnBy', { by: a.withdrawn.by, reason: a.withdrawn.reason })}</div>
      ) : reason === null ? (
        <button className="link" onClick={() => setReason('')} data-testid="annot-withdraw">{t('annot.withdraw')}</button>
      ) : (
        <span className="row">
          <input autoFocus value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('annot.reason')} data-testid="annot-reason" />
          <button disabled={!reason.trim()} onClick={() => void withdraw(target, a.id, reason.trim()).then((ok) => { if (ok) setReason(null); })} data-testid="annot-withdraw-confirm">{t('annot.withdraw')}</button>
          <button onClick={() => setReason(null)}>{t('annot.cancel')}</button>
        </span>
      )}
    </li>
  );
}
