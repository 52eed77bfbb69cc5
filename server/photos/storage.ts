import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type PhotoVariant = 'original' | 'display' | 'thumb';

/**
 * Where photos live: `<dataDir>/photos/<first two hex>/<sha256>.<variant>.<ext>`, sharded so no
 * folder grows past a few thousand entries; `<dataDir>/photos/tmp/` holds uploads in progress on
 * the same file system, so moving one into place is an atomic rename.
 */
export function photoStorage(dataDir: string) {
  const root = path.resolve(dataDir, 'photos');
  const tmpDir = path.join(root, 'tmp');

  /** The display copy and the thumbnail are always JPEG; the original keeps its own type. */
  function pathOf(id: string, variant: PhotoVariant, originalExt = 'jpg'): string {
    return path.join(root, id.slice(0, 2), `${id}.${variant}.${variant === 'original' ? originalExt : 'jpg'}`);
  }

  return {
    root,
    pathOf,

    /** A fresh name in the temp folder (created on first use). */
    async tempPath(suffix: string): Promise<string> {
      await fs.mkdir(tmpDir, { recursive: true });
      return path.join(tmpDir, `${randomUUID()}.${suffix}`);
    },

    /**
     * Moves a finished temp file to its final name. Flushed first, so that after a crash the final
     * name holds either nothing or the whole file, never a half-written one.
     */
    async place(tmp: string, final: string): Promise<void> {
      const fh = await fs.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.mkdir(path.dirname(final), { recursive: true });
      await fs.rename(tmp, final);
    },

    async exists(file: string): Promise<boolean> {
      try {
        await fs.access(file);
        return true;
      } catch {
        return false;
      }
    },

    /**
     * Removes temp files left by a process that died mid-upload (older than `olderThan`; a live
     * upload's files are younger). For the maintenance job; safe in several processes at once.
     */
    async removeStaleTemp(olderThan: Date): Promise<number> {
      let names: string[];
      try {
        names = await fs.readdir(tmpDir);
      } catch {
        return 0;
      }
      let removed = 0;
      for (const name of names) {
        const file = path.join(tmpDir, name);
        const stat = await fs.stat(file).catch(() => null);
        if (stat && stat.mtime < olderThan) {
          await fs.rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },

    /** Removes temp files; a missing one is fine (already placed or never written). */
    async discard(...files: string[]): Promise<void> {
      await Promise.all(files.map((f) => fs.rm(f, { force: true })));
    },
  };
}
export type PhotoStorage = ReturnType<typeof photoStorage>;
