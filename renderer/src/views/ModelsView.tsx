import { useEffect } from 'react';
import { useAppState, useT } from '../appContext.js';

/** The models of this installation with their licences (shown wherever models are listed). */
export function ModelsView(): React.JSX.Element {
  const t = useT();
  const models = useAppState((s) => s.models);
  const load = useAppState((s) => s.loadModels);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="pane pad">
      <table className="models" data-testid="models-table">
        <thead>
          <tr><th>{t('models.id')}</th><th>{t('models.role')}</th><th>{t('models.licence')}</th><th>{t('models.profiles')}</th><th>{t('models.status')}</th></tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.id}>
              <td>{m.id}</td><td>{m.role}{m.landmarksIn.length ? ` · ${t('models.landmarksIn', { profiles: m.landmarksIn.join(', ') })}` : ''}</td><td>{m.licence}</td><td>{m.profiles.join(', ')}</td>
              <td className={m.verified ? 'ok' : 'bad'}>{m.verified ? t('models.verified') : t('models.missing')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
