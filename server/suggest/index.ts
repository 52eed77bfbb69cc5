/**
 * The category suggestion's face (智能分类): the ranked categories for a free text, learned from
 * the categories staff confirm (learner.ts) and started from the catalogue's names and keywords.
 * The app mounts its routes from routes.ts and runs its learner with the other background jobs.
 */
export { suggestService, type Suggestion } from './service';
export { suggestLearner, startSuggestLearner, type LearnRun } from './learner';
export { suggestRoutes } from './routes';
export { suggestImportRoutes, suggestImportUploadRouter } from './import-routes';
export { suggestImportJob, startSuggestImportJob, type ImportRun } from './import-job';
// A start-up step: the per-bucket counts of an installation from before the chunks, folded into them.
export { foldLegacyCounts } from './legacy-counts';
// Direct dispatch by suggestion (智能直派): the admins' threshold, its measured precision, and whether a score is sure.
export { DIRECT_DISPATCH_DEFAULT_THRESHOLD, DIRECT_DISPATCH_DEFAULT_ENABLED, directDispatchSettings } from './direct-dispatch';
export { directDispatchRoutes } from './direct-dispatch-routes';
// The hot spots (server/hotspots) compare appeal texts on the same normalized characters the suggestion reads.
export { normalize as normalizeText } from './text';
