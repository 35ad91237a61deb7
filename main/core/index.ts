/** The engine's public surface: the only module other layers import from core. */
export { createWorkbench, CASE_DB_FILE, type CompareRequest, type Workbench, type WorkbenchOptions } from './workbench.js';
export { KESTREL_VERSION } from './version.js';
export { ModelStore, defaultModelsDir, type InstallReport } from '../../models/modelStore.js';
export { modelSpecSchema, type ModelSpec } from '../../models/manifest.js';
export { runEval, type EvalTask, type EvalOptions } from './eval/evalService.js';
export { benchIngest, type BenchIngestOptions } from './bench/ingestBench.js';
export { resolveFfmpeg } from './media/ffmpegPath.js';
export { resolveDerivedFile } from './caseFiles.js';
export type { SearchRequest } from './search/searchService.js';
export { matchToCsv, searchToCsv } from './search/searchExport.js';
export type { AlarmRow } from './repositories/watchlistRepository.js';
export { benchSearch, type BenchSearchOptions } from './bench/searchBench.js';
export { benchCluster, type BenchClusterOptions } from './bench/clusterBench.js';
export { comparePhotos, CALIBRATION_FILE } from './search/compareService.js';
export { readCalibrationFile, withCalibration, calibrationSchema, type Calibration } from './search/calibration.js';
export { DEFAULT_MAX_PAIRS, MATCH_CANDIDATES_PER_ITEM, type MatchRequest } from './search/matchService.js';
export type { ClipRow } from './repositories/clipRepository.js';
export { DEFAULT_CLIP_PAD_MS, type ClipRequest } from './video/evidenceClip.js';
