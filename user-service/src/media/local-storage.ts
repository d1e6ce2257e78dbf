/** `MEDIA_STORAGE=local`: files under one folder, `public/` and `private/`, as nginx can serve them. */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isMediaFileName, type MediaVisibility } from '@murmur/shared/media';
import type { MediaStorage, StoredFile } from './storage.js';


/** The ending of a file being copied into place. */
const PARTIAL_SUFFIX = '.partial';
/** Age past which a half-copied file is surely no copy in progress. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

export class LocalStorage implements MediaStorage {
  constructor(private readonly root: string) {}

  private pathOf(area: MediaVisibility, name: string): string | undefined {
    // Only the names the service gives are files: nothing else can reach outside the folder.
    return isMediaFileName(name) ? path.join(this.root, area, name) : undefined;
  }

  async put(area: MediaVisibility, name: string, sourcePath: string): Promise<void> {
    const target = this.pathOf(area, name);
    if (!target) throw new Error(`not a media file name: ${name}`);
    await mkdir(path.dirname(target), { recursive: true });
    // Copied beside the target under a temporary name, then renamed: a reader never sees half a file.
    const partial = `${target}.${randomUUID()}${PARTIAL_SUFFIX}`;
    try {
      await copyFile(sourcePath, partial);
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async open(area: MediaVisibility, name: string): Promise<StoredFile | undefined> {
    const file = this.pathOf(area, name);
    if (!file) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { body: createReadStream(file), size: info.size };
  }

  /** Removes the half-copied files (`.partial`) older than an hour that a process that died left. */
  async removeStalePartials(): Promise<void> {
    for (const area of ['public', 'private'] as const) {
      const folder = path.join(this.root, area);
      for (const name of await readdir(folder).catch(() => [])) {
        if (!name.endsWith(PARTIAL_SUFFIX)) continue;
        const info = await stat(path.join(folder, name)).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > STALE_PARTIAL_MS) await rm(path.join(folder, name), { force: true });
      }
    }
  }

  async remove(area: MediaVisibility, name: string): Promise<boolean> {
    const file = this.pathOf(area, name);
    if (!file) return false;
    try {
      await unlink(file);
      return true;
    } catch (err) {
      // No such file is no error; nor is a folder of the path being a file (it cannot be there).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw err;
    }
  }
}
