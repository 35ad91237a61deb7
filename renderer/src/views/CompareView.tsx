import { conditionText, decisionText, localWarning, scaleText, thresholdSourceText, type CompareDto, type CompareSideDto } from '../../../main/contract/index.js';
import { textLang } from '../i18n/i18n.js';
import { useAppState, useT } from '../appContext.js';
import { FaceChoiceView, PhotoDrop, PhotoRunButton } from '../components/FaceChoiceInput.js';
import type { FaceChoice } from '../store/searchSlice.js';
import { uiError } from '../components/uiError.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';

/** 1:1: two faces side by side, the calibrated strength of evidence, the score against the threshold, and every warning. */
export function CompareView(): React.JSX.Element {
  const t = useT();
  const a = useAppState((s) => s.compareA);
  const b = useAppState((s) => s.compareB);
  const setCompare = useAppState((s) => s.setCompare);
  const run = useAppState((s) => s.runCompare);
  const running = useAppState((s) => s.compareRunning);
  const error = useAppState((s) => s.compareError);
  const r = useAppState((s) => s.compareResult);
  return (
    <div className="compare pad" data-testid="compare">
      <div className="compare-sides">
        <Side label="A" choice={a} side={r?.a ?? null} onChoose={(c) => setCompare('a', c)} />
        <div className="compare-mid">
          <PhotoRunButton busy={running} disabled={!a || !b} label={t('compare.run')} onRun={() => void run()} testId="compare-run" />
          {r && <Verdict r={r} />}
        </div>
        <Side label="B" choice={b} side={r?.b ?? null} onChoose={(c) => setCompare('b', c)} />
      </div>
      {error && <div className="warn" role="alert">{uiError(t, error)}</div>}
      {r && <CompareDetails r={r} />}
      {r?.comparisonId != null && <AnnotationPanel target={{ kind: 'comparison', id: r.comparisonId }} conclusionFirst />}
      <div className="muted small">{t('compare.hint')}</div>
    </div>
  );
}

function Side(p: { label: string; choice: FaceChoice | null; side: CompareSideDto | null; onChoose: (c: FaceChoice | null) => void }): React.JSX.Element {
  const t = useT();
  const key = p.label === 'A' ? 'a' : 'b';
  const age = useAppState((s) => s.compareAges[key]);
  const setAge = useAppState((s) => s.setCompareAge);
  return (
    <div className="compare-side" data-testid={`compare-${p.label.toLowerCase()}`}>
      <h2>{p.label}</h2>
      {p.choice ? (
        <>
          <FaceChoiceView choice={p.choice} box={p.side?.box ?? null} size={200} />
          <div className="path" title={p.choice.label}>{p.choice.label}</div>
          {p.side && (
            <div className="muted">
              {p.side.age !== null ? t('compare.age', { age: Math.round(p.side.age), source: t(`compare.ageSource.${p.side.ageSource}`) }) : t('compare.ageUnknown')}
              {' · '}{t('faces.quality', { q: p.side.quality.overall.toFixed(2) })} · {Math.round(p.side.quality.faceSizePx)} px
            </div>
          )}
          <label className="field">
            {t('compare.knownAge')}
            <input
              type="number" min={0} max={120} step={0.5} value={age ?? ''} placeholder={t('compare.estimated')}
              onChange={(e) => setAge(key, e.target.value.trim() === '' ? null : Math.max(0, Math.min(120, Number(e.target.value))))} data-testid={`compare-age-${key}`}
            />
          </label>
          <button onClick={() => p.onChoose(null)}>{t('compare.clear')}</button>
        </>
      ) : (
        <PhotoDrop onPhoto={(c) => p.onChoose(c)} label={t('compare.drop')} testId={`compare-drop-${p.label.toLowerCase()}`} />
      )}
    </div>
  );
}

function Verdict({ r }: { r: CompareDto }): React.JSX.Element {
  const t = useT();
  const lang = useAppState((s) => s.lang);
  return (
    <div className="verdict" data-testid="compare-verdict">
      <div className="score">{r.fused.toFixed(3)}</div>
      <div className="muted">{t('compare.fused')}</div>
      {r.evidence ? (
        <div className={`evidence ${r.evidence.supports === 'same person' ? 'ok' : r.evidence.supports === 'different people' ? 'bad' : ''}`}>
          <strong>{lang === 'en' ? r.evidence.verbal : scaleText(r.evidence.supports === 'neither' ? 'none' : `${r.evidence.strength} support for ${r.evidence.supports}`, textLang(lang))}</strong>
          <div>LR {formatLr(r.evidence.lr)} (log10 {r.evidence.log10Lr.toFixed(2)}){r.evidence.atBound ? ` · ${t('compare.atBound')}` : ''}</div>
        </div>
      ) : (
        <div className="muted">{t('compare.noCalibration')}</div>
      )}
      {r.decision && <div>{t('compare.decision', { decision: decisionText(r.decision, textLang(lang)), threshold: r.threshold?.toFixed(3) ?? '–' })}</div>}
    </div>
  );
}

function CompareDetails({ r }: { r: CompareDto }): React.JSX.Element {
  const t = useT();
  const lang = useAppState((s) => s.lang);
  return (
    <div className="compare-details">
      <table className="models">
        <thead><tr><th>{t('models.id')}</th><th>{t('compare.cosine')}</th></tr></thead>
        <tbody>{r.scores.map((s) => <tr key={s.model}><td>{s.model}</td><td>{s.score.toFixed(4)}</td></tr>)}</tbody>
      </table>
      {r.evidence && (
        <p className="muted">
          {t('compare.calibration', { condition: conditionText(r.evidence.condition, textLang(lang)), data: r.evidence.calibration.data, cllr: r.evidence.calibration.heldOutCllr?.toFixed(3) ?? '–' })}
        </p>
      )}
      <p className="muted">{t('compare.thresholdSource', { source: thresholdSourceText(r.thresholdSource, textLang(lang)) })}</p>
      {r.warnings.length > 0 && (
        <ul className="warnings" data-testid="compare-warnings">
          {r.warnings.map((w, i) => <li key={i} className="warn">{localWarning(w, textLang(lang))}</li>)}
        </ul>
      )}
    </div>
  );
}

function formatLr(lr: number): string {
  if (lr >= 1000 || lr < 0.001) return lr.toExponential(1);
  return lr >= 1 ? lr.toFixed(1) : `1/${(1 / lr).toFixed(1)}`;
}
