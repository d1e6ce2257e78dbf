/**
 * `MEDIA_STORAGE=s3`: files in one bucket of any S3-compatible store, under `public/` and
 * `private/`, through the AWS SDK. Public objects carry their long cache lifetime themselves, so
 * a CDN or nginx in front of the bucket serves them as the service would.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { MediaVisibility } from '@murmur/shared/media';
import type { MediaStorage, StoredFile } from './storage.js';
import { cacheControlFor } from './media-headers.js';

export interface S3StorageOptions {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export class S3Storage implements MediaStorage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.accessKeyId && options.secretAccessKey && { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
    });
  }

  private key(area: MediaVisibility, name: string): string {
    return `${area}/${name}`;
  }

  async put(area: MediaVisibility, name: string, sourcePath: string, contentType: string): Promise<void> {
    const { size } = await stat(sourcePath);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(area, name),
        Body: createReadStream(sourcePath),
        ContentLength: size,
        ContentType: contentType,
        CacheControl: cacheControlFor(area),
      }),
    );
  }

  async open(area: MediaVisibility, name: string): Promise<StoredFile | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(area, name) }));
      return object.Body ? { body: object.Body as Readable, size: object.ContentLength } : undefined;
    } catch (err) {
      if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return undefined;
      throw err;
    }
  }

  async remove(area: MediaVisibility, name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(area, name) }));
  }

  close(): void {
    this.client.destroy();
  }
}
