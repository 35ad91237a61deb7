import exifr from 'exifr';

export interface ExifFacts {
  readonly capturedAt: string | null;
  readonly cameraMake: string | null;
  readonly cameraModel: string | null;
  readonly gps: { lat: number; lon: number } | null;
  readonly orientation: number | null;
}

export const NO_EXIF: ExifFacts = { capturedAt: null, cameraMake: null, cameraModel: null, gps: null, orientation: null };

/**
 * One options object for every call: exifr caches its parsed options keyed by the object itself, so
 * a fresh literal per call grows that cache by about 6.6 KB per photo for the life of the thread
 * (found by kestrel bench ingest-memory: 0.6 GB over 100,000 photos).
 */
const EXIF_OPTIONS = Object.freeze({
  tiff: true, exif: true, gps: true, ifd1: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false,
  translateValues: false, reviveValues: false, mergeOutput: true,
});

/**
 * Reads capture time, camera and GPS. EXIF is attacker-controlled: every value is type-checked and
 * range-checked, and a failure to parse loses the metadata, never the image. Capture time is kept
 * as written (EXIF has no time zone unless OffsetTimeOriginal is present): we never invent one.
 */
export async function readExif(buf: Buffer): Promise<ExifFacts> {
  // exifr walks HEIF boxes until it meets 'meta'; a zero-length box or a file without one makes it
  // loop forever (found by the fuzz test, twice). Such files are read without their metadata.
  if (!exifrCanWalk(buf)) return NO_EXIF;
  let raw: Record<string, unknown> | undefined;
  try {
    raw = (await exifr.parse(buf, EXIF_OPTIONS)) as Record<string, unknown> | undefined;
  } catch {
    return NO_EXIF;
  }
  if (!raw) return NO_EXIF;
  return {
    capturedAt: exifTime(raw['DateTimeOriginal'] ?? raw['CreateDate'] ?? raw['DateTimeDigitized'], raw['OffsetTimeOriginal']),
    cameraMake: cleanString(raw['Make']),
    cameraModel: cleanString(raw['Model']),
    gps: gpsOf(raw),
    orientation: typeof raw['Orientation'] === 'number' && raw['Orientation'] >= 1 && raw['Orientation'] <= 8 ? raw['Orientation'] : null,
  };
}

function cleanString(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return s.length ? s : null;
}

export function exifTime(v: unknown, offset: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(v.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const o = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim()) : null;
  const off = o && Number(o[2]) <= 14 && Number(o[3]) <= 59 ? o[0] : '';
  return iso + off;
}

function dms(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) return null;
  const [d = 0, m = 0, s = 0] = v as unknown[];
  if (![d, m, s].every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) return null;
  return (d as number) + (m as number) / 60 + (s as number) / 3600;
}

function gpsOf(raw: Record<string, unknown>): { lat: number; lon: number } | null {
  let lat = dms(raw['GPSLatitude']);
  let lon = dms(raw['GPSLongitude']);
  if (lat === null || lon === null) return null;
  if (raw['GPSLatitudeRef'] === 'S') lat = -lat;
  if (raw['GPSLongitudeRef'] === 'W') lon = -lon;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return null;
  return { lat, lon };
}

/**
 * False for a file that exifr's HEIF parser would walk forever. exifr takes any file whose first two
 * bytes are zero for HEIF (it does not check for 'ftyp'; a fuzzed file with that name damaged hung
 * it), then hops from box to box starting at the offset the first box's size gives, without looking
 * at the first box itself, until it meets 'meta'. This walks the same boxes and says whether the
 * walk reaches a 'meta' box that lies inside the file with every hop a sane size.
 */
export function exifrCanWalk(buf: Buffer): boolean {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) return true; // not a file exifr parses as HEIF
  let at = buf.readUInt32BE(0);
  for (let boxes = 0; boxes < 1000 && at + 8 <= buf.length; boxes++) {
    let size = buf.readUInt32BE(at);
    const kind = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) {
      if (at + 16 > buf.length) return false;
      const large = buf.readBigUInt64BE(at + 8);
      if (large > BigInt(buf.length)) return false;
      size = Number(large);
    }
    if (kind === 'meta') return size >= 12 && at + size <= buf.length;
    if (size < 8 || at + size > buf.length) return false;
    at += size;
  }
  return false;
}
