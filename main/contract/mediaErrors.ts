/**
 * Why one file of an intake could not be used. These are statuses recorded on the file's
 * location row (intake goes on); the examiner sees the reason in the error list.
 */
export const MEDIA_ERROR_REASONS = [
  'empty_file',
  'unsupported_format',
  'truncated_or_corrupt',
  'decompression_bomb',
  'archive_bomb',
  'archive_path_traversal',
  'archive_too_deep',
  'archive_corrupt',
  'symlink_loop',
  'symlink_outside_source',
  'unreadable',
  'not_a_regular_file',
  'too_large',
  'timeout',
  'decode_failed',
] as const;
export type MediaErrorReason = (typeof MEDIA_ERROR_REASONS)[number];
