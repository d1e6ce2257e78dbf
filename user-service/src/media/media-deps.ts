/** The media module's parts, opened from user-service's config: its storage, its work slots, its sweeper. */
import type { Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import type { ServiceConfig } from '../config.js';
import { LocalStorage } from './local-storage.js';
import { removeStaleUploads, type MediaContext } from './media.service.js';
import { MediaSweeper } from './media-sweeper.js';
import { S3Storage } from './s3-storage.js';
import type { MediaStorage } from './storage.js';
import { WorkSlots } from './work-slots.js';

export interface MediaDeps {
  context: MediaContext;
  sweeper: MediaSweeper;
  close(): Promise<void>;
}

/** An upload still processing, or a message claim not stored, after this long is abandoned. */
const ABANDONED_SECONDS = 15 * 60;

function openStorage(config: ServiceConfig): MediaStorage & { close?(): void } {
  if (config.MEDIA_STORAGE === 'local') return new LocalStorage(config.MEDIA_LOCAL_DIR);
  return new S3Storage({
    endpoint: config.MEDIA_S3_ENDPOINT,
    bucket: config.MEDIA_S3_BUCKET!,
    region: config.MEDIA_S3_REGION,
    accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID,
    secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
  });
}

/** Opens the media module; its sweeper runs every MEDIA_SWEEP_INTERVAL_MS until close(). */
export function openMediaDeps(config: ServiceConfig, db: Db, logger: Logger): MediaDeps {
  const storage = openStorage(config);
  // What a process that died left behind: half-arrived uploads, half-copied files.
  void removeStaleUploads(config.MEDIA_TMP_DIR);
  if (storage instanceof LocalStorage) void storage.removeStalePartials().catch((err: unknown) => logger.warn({ err }, 'could not look for half-copied pictures'));
  const sweeper = new MediaSweeper(db, storage, { unattachedSeconds: config.MEDIA_UNATTACHED_TTL_HOURS * 3600, abandonedSeconds: ABANDONED_SECONDS }, logger);
  sweeper.start(config.MEDIA_SWEEP_INTERVAL_MS);
  return {
    context: {
      db,
      logger,
      storage,
      slots: new WorkSlots(config.MEDIA_MAX_CONCURRENT, config.MEDIA_MAX_QUEUED, config.MEDIA_MAX_UPLOADS_PER_ACCOUNT),
      limits: {
        maxBytes: config.MEDIA_MAX_BYTES,
        maxPixels: config.MEDIA_MAX_PIXELS,
        timeoutMs: config.MEDIA_UPLOAD_TIMEOUT_MS,
        processTimeoutSeconds: config.MEDIA_PROCESS_TIMEOUT_SECONDS,
        tmpDir: config.MEDIA_TMP_DIR,
      },
    },
    sweeper,
    async close() {
      await sweeper.stop();
      storage.close?.();
    },
  };
}
