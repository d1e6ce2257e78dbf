/**
 * What a picture becomes: recognised by its content, its size checked from its header before
 * anything is decoded, then decoded once and re-encoded with its orientation applied and every
 * metadata block (EXIF, GPS, XMP, comments, ICC) left behind, with a WebP preview and a blurhash.
 * sharp runs libvips on libuv's threads, never on the event loop; how many pictures are processed
 * at once is the caller's to bound (work-slots.ts).
 */
import { encode as encodeBlurhash } from 'blurhash';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Sharp } from 'sharp';
import { AppError } from '@murmur/shared/errors';

// libvips's operation cache keeps decoded images for reuse, which uploads never are; one thread
// per picture, so MEDIA_MAX_CONCURRENT alone says how many cores the image work may take.
sharp.cache(false);
sharp.concurrency(1);
// Only the decoders of the formats taken may run, whatever a file's bytes make libvips think it
// is: its others (SVG, PDF, TIFF, FITS, …) never see an upload. Buffers too, for tests that read.
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: ['Jpeg', 'Png', 'Spng', 'Webp', 'Nsgif', 'Heif'].flatMap((format) => [`VipsForeignLoad${format}File`, `VipsForeignLoad${format}Buffer`]),
});

/** Bytes file-type reads to recognise any format it knows. */
export const SNIFF_BYTES = 4100;

/** A format taken: its name, and how libvips names it once it has read the header. */
export interface AcceptedFormat {
  name: string;
  decoder: 'jpeg' | 'png' | 'webp' | 'gif' | 'heif';
}

/** The formats taken, as file-type names them. */
const ACCEPTED = new Map<string, AcceptedFormat>([
  ['image/jpeg', { name: 'JPEG', decoder: 'jpeg' }],
  ['image/png', { name: 'PNG', decoder: 'png' }],
  ['image/apng', { name: 'PNG', decoder: 'png' }],
  ['image/webp', { name: 'WebP', decoder: 'webp' }],
  ['image/gif', { name: 'GIF', decoder: 'gif' }],
  ['image/avif', { name: 'AVIF', decoder: 'heif' }],
  ['image/heic', { name: 'HEIC', decoder: 'heif' }],
  ['image/heif', { name: 'HEIC', decoder: 'heif' }],
]);

/** How the original is stored. */
export type StoredFormat = 'jpeg' | 'png' | 'webp';

export const FILE_EXTENSIONS: Record<StoredFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
export const CONTENT_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The longest side of a preview, in pixels. */
export const PREVIEW_SIZE = 640;

export const unsupportedType = (what = 'this file') =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `${what} is not a picture murmur takes: send JPEG, PNG, WebP, GIF or AVIF`);
const unreadable = () => new AppError(422, 'MEDIA_UNREADABLE', 'the picture is truncated or corrupt and cannot be read');

/**
 * The accepted format of a file whose first bytes are `head` (at least SNIFF_BYTES of them, or
 * the whole file); refuses anything else with 415, whatever its name or declared type said.
 */
export async function recognise(head: Uint8Array): Promise<AcceptedFormat> {
  const type = await fileTypeFromBuffer(head);
  const format = type && ACCEPTED.get(type.mime);
  if (!format) throw unsupportedType();
  return format;
}

export interface ProcessedImage {
  format: StoredFormat;
  /** Of the original, its orientation applied. */
  width: number;
  height: number;
  originalBytes: number;
  previewBytes: number;
  blurhash: string;
}

/** The stored format of a source: photographs as JPEG, drawings as PNG, transparency kept. */
function storedFormat(source: string | undefined, hasAlpha: boolean): StoredFormat {
  if (source === 'png' || source === 'gif') return 'png';
  if (source === 'webp' || hasAlpha) return 'webp';
  return 'jpeg';
}

const encoders: Record<StoredFormat, (image: Sharp) => Sharp> = {
  // Optimised Huffman tables need the whole coded picture in memory (about 165 MiB for 12
  // megapixels, against 35 MiB without) for files about 6% smaller: not worth it for uploads.
  jpeg: (image) => image.jpeg({ quality: 85, optimiseCoding: false }),
  png: (image) => image.png({ compressionLevel: 6 }),
  webp: (image) => image.webp({ quality: 85 }),
};

export interface ImageJob {
  /** The uploaded file. */
  input: string;
  /** What its first bytes said it is (recognise). */
  sniffed: AcceptedFormat;
  /** Where the original goes, in the format it is stored as. */
  originalPath: (format: StoredFormat) => string;
  previewPath: string;
  maxPixels: number;
  /** Longest the decoding and encoding of one output may take. */
  timeoutSeconds: number;
}

/**
 * Reads the picture and writes its original (in the format returned) and its preview. Refuses
 * with 422 `MEDIA_TOO_LARGE` a picture whose header claims more than `maxPixels`, before decoding
 * it; with 415 one whose header is not of the format its first bytes announced, or HEIC; and
 * with 422 `MEDIA_UNREADABLE` one that cannot be decoded to its end, or not in time.
 */
export async function processImage(job: ImageJob): Promise<ProcessedImage> {
  const { input, maxPixels } = job;
  // The header alone: metadata() decodes no pixel, so its own pixel limit is lifted to read the size.
  const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => {
    throw unreadable();
  });
  if (meta.format !== job.sniffed.decoder) throw unsupportedType(`a file that starts as ${job.sniffed.name} but reads as something else`);
  // libheif reads HEIC's header, but the decoder of its pictures (HEVC) is not in sharp's build.
  if (meta.format === 'heif' && meta.compression === 'hevc') throw unsupportedType('a HEIC picture');
  const { width, height } = meta;
  if (!width || !height) throw unreadable();
  if (width * height > maxPixels) {
    throw new AppError(422, 'MEDIA_TOO_LARGE', `the picture has ${width} × ${height} pixels; at most ${maxPixels.toLocaleString('en')} are taken`);
  }
  const format = storedFormat(meta.format, meta.hasAlpha);
  // limitInputPixels is libvips's own guard, should a header lie to metadata() but not to the decoder.
  const source = sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', autoOrient: true }).timeout({ seconds: job.timeoutSeconds });
  try {
    const original = await encoders[format](source.clone()).toFile(job.originalPath(format));
    const preview = await source.clone().resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toFile(job.previewPath);
    return { format, width: original.width, height: original.height, originalBytes: original.size, previewBytes: preview.size, blurhash: await blurhashOf(job.previewPath) };
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) throw new AppError(422, 'MEDIA_TOO_LARGE', err.message);
    if (err instanceof Error && /timeout/i.test(err.message)) {
      throw new AppError(422, 'MEDIA_UNREADABLE', `the picture takes longer than ${job.timeoutSeconds} s to read`);
    }
    throw unreadable();
  }
}

/** The blurhash of a picture, computed from a 32-pixel copy of its preview (4 × 3 components). */
async function blurhashOf(previewPath: string): Promise<string> {
  const { data, info } = await sharp(previewPath).resize(32, 32, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return encodeBlurhash(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, 4, 3);
}
