import type { MediaPreviewDto } from '../../../main/contract/index.js';
import { useApi } from '../appContext.js';

/**
 * A media preview fitted into a `width` x `height` slot with its face boxes over it (boxes come as
 * fractions of the picture, so they fit at any size). A preview that cannot be drawn says why.
 */
export function MediaPicture({ preview, aspect, width, height, boxes, activeFace, onFace }: {
  preview: MediaPreviewDto | null | undefined;
  /** The picture's width / height (known before the preview arrives, so the slot does not jump). */
  aspect: number;
  width: number;
  height: number;
  boxes: boolean;
  activeFace?: number | null;
  onFace?: (faceId: number, identityId: number | null) => void;
}): React.JSX.Element {
  const api = useApi();
  const fit = Math.min(width / aspect, height);
  const w = Math.round(fit * aspect);
  const h = Math.round(fit);
  return (
    <span className="media-pic" style={{ width: w, height: h }}>
      {preview?.path && <img src={api.fileUrl(preview.path)} alt="" width={w} height={h} loading="lazy" draggable={false} />}
      {preview?.problem && <span className="media-problem" title={preview.problem}>⚠</span>}
      {boxes && preview?.boxes.map((b) => (
        <span
          key={b.faceId}
          className={`media-box${b.faceId === activeFace ? ' active' : ''}${onFace ? ' clickable' : ''}`}
          style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}
          title={`#${b.faceId}`}
          data-testid="media-box"
          onClick={onFace ? (e) => { e.stopPropagation(); onFace(b.faceId, b.identityId); } : undefined}
        />
      ))}
    </span>
  );
}
