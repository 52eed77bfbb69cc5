/**
 * The maintenance feature's face: the cleanup job, which deletes what has run out through each
 * owning feature's face (server.ts starts it).
 */
export { runCleanup, startCleanupJob, type CleanupJob, type CleanupResult } from './cleanup';
