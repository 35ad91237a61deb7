import type { Translate } from '../i18n/i18n.js';

/** Errors the store reports by key (checked before calling the engine) are translated; engine messages are shown as they are. */
export function uiError(t: Translate, e: string): string {
  const keys: Record<string, Parameters<Translate>[0]> = {
    needExaminer: 'intake.needExaminer', needProbe: 'search.needProbe', needBoth: 'compare.needBoth', needOut: 'export.needOut',
    needListName: 'watch.needListName', needSubjectName: 'watch.needSubjectName', needPhoto: 'watch.needPhoto',
    needReason: 'watch.needReason', needThreshold: 'watch.needThreshold', needFolder: 'watch.needFolder',
    needLibrary: 'match.needLibrary', badThreshold: 'match.badThreshold',
  };
  const key = keys[e];
  return key ? t(key) : e;
}
