import { useRef, useState } from 'react';
import { MAX_PROBE_UPLOAD_BYTES, type Box } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import type { FaceChoice } from '../store/searchSlice.js';

/** Reads a dropped or chosen photo into a probe: its bytes go to the engine, which keeps them in the case. */
function readPhoto(file: File): Promise<FaceChoice> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(new Error(`cannot read ${file.name}`));
    r.onabort = () => reject(new Error(`reading ${file.name} was stopped`));
    r.onload = () => {
      const url = String(r.result);
      resolve({ ref: { upload: { name: file.name, base64: url.slice(url.indexOf(',') + 1) } }, label: file.name, preview: { kind: 'data', src: url } });
    };
    r.readAsDataURL(file);
  });
}

/** A drop zone that also opens a file chooser (keyboard: Enter or Space). */
export function PhotoDrop(p: { onPhoto: (c: FaceChoice) => void; label: string; testId?: string }): React.JSX.Element {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reading = useAppState((s) => s.photoReading);
  const take = async (files: FileList | null): Promise<void> => {
    setError(null);
    const list = Array.from(files ?? []).filter((f) => {
      if (f.size <= MAX_PROBE_UPLOAD_BYTES) return true;
      setError(t('search.tooLarge', { name: f.name, mb: MAX_PROBE_UPLOAD_BYTES / 1024 / 1024 }));
      return false;
    });
    // Every photo counts as being read from the moment it is dropped, so nothing is sent without it.
    for (let i = 0; i < list.length; i++) reading(1);
    for (const f of list) {
      try {
        p.onPhoto(await readPhoto(f));
      } catch (err) {
        setError((err as Error).message);
      } finally {
        reading(-1);
      }
    }
  };
  return (
    <div
      className={`drop${over ? ' over' : ''}`} role="button" tabIndex={0} data-testid={p.testId}
      onClick={() => input.current?.click()} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && input.current?.click()}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); void take(e.dataTransfer.files); }}
    >
      <span>{p.label}</span>
      {error && <span className="warn" role="alert">{error}</span>}
      <input ref={input} type="file" accept="image/*,.heic,.heif" multiple hidden onChange={(e) => void take(e.target.files)} data-testid={p.testId ? `${p.testId}-file` : undefined} />
    </div>
  );
}

/** A chosen face: a case thumbnail, or the dropped photo cropped to the face the engine used (when known). */
export function FaceChoiceView(p: { choice: FaceChoice; box?: Box | null; size: number }): React.JSX.Element {
  const api = useApi();
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const src = p.choice.preview.kind === 'case' ? api.fileUrl(p.choice.preview.src) : p.choice.preview.src;
  if (p.choice.preview.kind === 'case' || !p.box || !natural) {
    return (
      <img
        src={src} alt="" width={p.size} height={p.size} className="face-choice" title={p.choice.label}
        onLoad={(e) => setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
      />
    );
  }
  // Crop to the face box with a margin, the way the engine aligned it.
  const side = Math.max(p.box.width, p.box.height) * 1.4;
  const scale = p.size / side;
  const cx = p.box.x + p.box.width / 2;
  const cy = p.box.y + p.box.height / 2;
  return (
    <div className="face-crop" style={{ width: p.size, height: p.size }} title={p.choice.label}>
      <img src={src} alt="" style={{ width: natural.w * scale, height: natural.h * scale, left: p.size / 2 - cx * scale, top: p.size / 2 - cy * scale }} />
    </div>
  );
}

/** Photos chosen so far, each removable, and a drop zone for more (search probes, enrolment, a subject's new photos). */
export function PhotoList(p: { photos: readonly FaceChoice[]; size: number; onRemove: (index: number) => void; onPhoto: (c: FaceChoice) => void; dropLabel: string; dropTestId: string; testId?: string }): React.JSX.Element {
  const t = useT();
  return (
    <div className="probes" data-testid={p.testId}>
      {p.photos.map((c, i) => (
        <figure key={i} className="probe">
          <FaceChoiceView choice={c} size={p.size} />
          <figcaption className="path" title={c.label}>{c.label}</figcaption>
          <button onClick={() => p.onRemove(i)} aria-label={t('search.removeProbe')}>×</button>
        </figure>
      ))}
      <PhotoDrop onPhoto={p.onPhoto} label={p.dropLabel} testId={p.dropTestId} />
    </div>
  );
}

/**
 * The button that sends chosen photos (search, enrol, add to a subject, compare): it waits while a
 * dropped photo is still being read, so a quick click never sends the form without it.
 */
export function PhotoRunButton(p: { busy: boolean; disabled?: boolean; label: string; onRun: () => void; testId: string }): React.JSX.Element {
  const t = useT();
  const reading = useAppState((s) => s.readingPhotos > 0);
  return (
    <button className="primary" disabled={p.busy || reading || p.disabled === true} onClick={p.onRun} data-testid={p.testId}>
      {reading ? t('photo.reading') : p.busy ? t('search.running') : p.label}
    </button>
  );
}
