/**
 * How an original's location is shown to the examiner: the file path, and for an archive member
 * `archive!/entry` (nested members chain further `!/`). One definition for SQL and TypeScript.
 */
export const ARCHIVE_SEP = '!/';

export const displayLocation = (path: string, entry: string): string => (entry ? `${path}${ARCHIVE_SEP}${entry}` : path);

/** The same as displayLocation, as an SQL expression over a media_locations row aliased `l`. */
export const LOCATION_DISPLAY_SQL = `l.path || CASE WHEN l.archive_entry = '' THEN '' ELSE '${ARCHIVE_SEP}' || l.archive_entry END`;
