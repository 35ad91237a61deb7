import { useEffect, useState } from 'react';
import { CASE_TARGET_ID, PROFILE_NAMES, type ProfileName } from '../../../main/contract/index.js';
import { useAppState, useT } from '../appContext.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';
import { uiError } from '../components/uiError.js';

/**
 * The case itself: its facts, the evidence sources taken in (by whom, when), the examiners' case
 * notes (contemporaneous, never deleted: a note is withdrawn with a reason) and the audit log,
 * newest first, with a check of its hash chain.
 */
export function CaseView(): React.JSX.Element {
  const t = useT();
  const info = useAppState((s) => s.info)!;
  const sources = useAppState((s) => s.caseSources);
  const load = useAppState((s) => s.loadCasePage);
  useEffect(() => {
    void load();
  }, [load, info]);
  return (
    <div className="split">
      <section className="pane pad case-page" data-testid="case-page">
        <h2>{t('case.facts')}</h2>
        <dl className="kv">
          <dt>{t('case.name')}</dt><dd>{info.name}</dd>
          <dt>{t('case.dir')}</dt><dd className="mono">{info.caseDir}</dd>
          <dt>{t('case.createdAt')}</dt><dd>{info.createdAt}</dd>
          <dt>{t('case.createdBy')}</dt><dd>{info.createdBy || '–'}</dd>
          <dt>{t('case.profile')}</dt><dd>{info.profile}</dd>
          <dt>{t('case.schema')}</dt><dd>{info.schemaVersion}</dd>
          <dt>{t('case.encryption')}</dt><dd data-testid="case-encryption">{info.encrypted ? t('case.encrypted') : t('case.notEncrypted')}</dd>
          <dt>{t('case.contents')}</dt><dd>{t('case.counts', { media: info.counts.media, faces: info.counts.faces, errors: info.counts.errors })}</dd>
        </dl>
        <h2>{t('case.sources')} ({sources.length})</h2>
        {!sources.length && <div className="muted">{t('case.noSources')}</div>}
        {!!sources.length && (
          <table className="grid-table" data-testid="case-sources">
            <thead><tr><th>{t('media.path')}</th><th>{t('case.sourceKind')}</th><th>{t('case.addedBy')}</th><th>{t('case.addedAt')}</th></tr></thead>
            <tbody>{sources.map((s) => <tr key={s.id}><td className="mono">{s.path}</td><td>{s.kind}</td><td>{s.addedBy}</td><td>{s.addedAt}</td></tr>)}</tbody>
          </table>
        )}
        <AuditPanel />
        <OtherCases />
      </section>
      <aside className="details wide" data-testid="case-notes">
        <h2>{t('case.notes')}</h2>
        <div className="muted small">{t('case.notesHint')}</div>
        <AnnotationPanel target={{ kind: 'case', id: CASE_TARGET_ID }} />
      </aside>
    </div>
  );
}

function AuditPanel(): React.JSX.Element {
  const t = useT();
  const entries = useAppState((s) => s.audit);
  const total = useAppState((s) => s.auditTotal);
  const check = useAppState((s) => s.auditCheck);
  const checking = useAppState((s) => s.auditChecking);
  const verify = useAppState((s) => s.verifyAudit);
  const more = useAppState((s) => s.loadMoreAudit);
  return (
    <>
      <h2>{t('case.audit')} ({total})</h2>
      <div className="row">
        <button onClick={() => void verify()} disabled={checking} data-testid="audit-verify">{t('case.auditVerify')}</button>
        {check && (check.ok
          ? <span className="ok" data-testid="audit-result">{t('case.auditOk', { rows: check.rows, head: check.headHash?.slice(0, 16) ?? '' })}</span>
          : <span className="warn" role="alert" data-testid="audit-result">{t('case.auditBad', { id: check.firstBadId ?? '?', problem: check.problem ?? '' })}</span>)}
      </div>
      <table className="grid-table" data-testid="audit-list">
        <thead><tr><th>#</th><th>{t('case.at')}</th><th>{t('case.actor')}</th><th>{t('case.action')}</th><th>{t('case.target')}</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} title={e.details}><td>{e.id}</td><td>{e.at}</td><td>{e.actor}</td><td>{e.action}</td><td className="mono">{e.target}</td></tr>
          ))}
        </tbody>
      </table>
      {entries.length < total && <button onClick={() => void more()} data-testid="audit-more">{t('case.auditMore', { n: total - entries.length })}</button>}
    </>
  );
}

/** Open a recent case or one by its folder, or create a new one; the examiner's name is recorded in it. */
function OtherCases(): React.JSX.Element {
  const t = useT();
  const recent = useAppState((s) => s.recentCases);
  const current = useAppState((s) => s.info?.caseDir);
  const error = useAppState((s) => s.caseSwitchError);
  const busy = useAppState((s) => s.caseSwitching);
  const loadRecent = useAppState((s) => s.loadRecentCases);
  const openCase = useAppState((s) => s.openCase);
  const createCase = useAppState((s) => s.createCase);
  const [openDir, setOpenDir] = useState('');
  const [newDir, setNewDir] = useState('');
  const [newName, setNewName] = useState('');
  const [profile, setProfile] = useState<ProfileName>('accurate');
  // Passwords live only in this form's state and the call that uses them; they are never stored.
  const [openPassword, setOpenPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  useEffect(() => {
    void loadRecent();
  }, [loadRecent]);
  const others = recent.filter((r) => r.dir !== current);
  return (
    <>
      <h2>{t('cases.other')}</h2>
      {!others.length && <div className="muted">{t('cases.noRecent')}</div>}
      {!!others.length && (
        <table className="grid-table" data-testid="recent-cases">
          <thead><tr><th>{t('case.name')}</th><th>{t('case.dir')}</th><th>{t('cases.opened')}</th><th /></tr></thead>
          <tbody>
            {others.map((r) => (
              <tr key={r.dir}>
                <td>{r.name}</td><td className="mono">{r.dir}</td><td>{r.openedAt}</td>
                <td>{r.exists ? <button disabled={busy} onClick={() => void openCase(r.dir, openPassword)} data-testid="recent-open">{t('cases.open')}</button> : <span className="muted">{t('cases.gone')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row case-row">
        <label className="field grow">{t('cases.openPath')}
          <input value={openDir} onChange={(e) => setOpenDir(e.target.value)} spellCheck={false} data-testid="open-case-dir" />
        </label>
        <label className="field">{t('cases.password')}
          <input type="password" value={openPassword} onChange={(e) => setOpenPassword(e.target.value)} autoComplete="off" data-testid="open-case-password" />
        </label>
        <button disabled={busy || !openDir.trim()} onClick={() => void openCase(openDir.trim(), openPassword)} data-testid="open-case">{t('cases.open')}</button>
      </div>
      <div className="row case-row">
        <label className="field grow">{t('cases.newPath')}
          <input value={newDir} onChange={(e) => setNewDir(e.target.value)} spellCheck={false} data-testid="new-case-dir" />
        </label>
        <label className="field">{t('case.name')}
          <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder={t('cases.nameDefault')} data-testid="new-case-name" />
        </label>
        <label className="field">{t('case.profile')}
          <select value={profile} onChange={(e) => setProfile(e.target.value as ProfileName)} data-testid="new-case-profile">
            {PROFILE_NAMES.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label className="field">{t('cases.newPassword')}
          <input type="password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} placeholder={t('cases.newPasswordNone')} autoComplete="new-password" data-testid="new-case-password" />
        </label>
        <button className="primary" disabled={busy || !newDir.trim()} onClick={() => void createCase({ dir: newDir.trim(), profile, ...(newName.trim() ? { name: newName.trim() } : {}), ...(newPassword ? { password: newPassword } : {}) })} data-testid="create-case">{t('cases.create')}</button>
      </div>
      <div className="muted small">{t('cases.hint')}</div>
      {error && <div className="warn" role="alert" data-testid="case-switch-error">{uiError(t, error)}</div>}
    </>
  );
}
