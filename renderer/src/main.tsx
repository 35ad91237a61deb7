import { createRoot } from 'react-dom/client';
import { connect } from './api/apiClient.js';
import { App } from './views/App.js';
import { AppContext } from './appContext.js';
import { initialLang } from './i18n/i18n.js';
import { createAppStore } from './store/appStore.js';

const root = createRoot(document.getElementById('root')!);
try {
  const api = connect(window as unknown as Parameters<typeof connect>[0]);
  const store = createAppStore(api, {
    lang: initialLang(localStorage.getItem('kestrel.lang'), navigator.language),
    examiner: localStorage.getItem('kestrel.examiner') ?? '',
  });
  store.subscribe((s, prev) => {
    if (s.lang !== prev.lang) {
      localStorage.setItem('kestrel.lang', s.lang);
      document.documentElement.lang = s.lang;
    }
    if (s.examiner !== prev.examiner) localStorage.setItem('kestrel.examiner', s.examiner);
  });
  document.documentElement.lang = store.getState().lang;
  // Another case was opened (here or in another window): every view starts again from it.
  api.on('case.opened', () => window.location.reload());
  root.render(
    <AppContext.Provider value={{ store, api }}>
      <App />
    </AppContext.Provider>,
  );
} catch (err) {
  root.render(<div className="fatal" role="alert">{(err as Error).message}</div>);
}
