/**
 * Test support: real pictures made on the spot (with EXIF, GPS and an orientation to strip, or
 * broken on purpose), and an upload through the real API. Not used by production code.
 */
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import type { MediaAttachment } from '@murmur/shared/media';

export interface PictureOptions {
  width?: number;
  height?: number;
  /** EXIF orientation (1-8); 6 means "turn 90° clockwise to show". */
  orientation?: number;
  /** Adds EXIF with a camera, a comment and a GPS position. */
  exif?: boolean;
}

/** A JPEG of one colour with a red square in its top-left corner (to tell orientation by). */
export async function makeJpeg(options: PictureOptions = {}): Promise<Buffer> {
  const width = options.width ?? 400;
  const height = options.height ?? 300;
  const marker = await sharp({ create: { width: Math.ceil(width / 4), height: Math.ceil(height / 4), channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  let image = sharp({ create: { width, height, channels: 3, background: '#2050c0' } }).composite([{ input: marker, top: 0, left: 0 }]);
  if (options.exif) {
    image = image.withExif({
      IFD0: { Make: 'murmur-test-camera', Model: 'secret model', ImageDescription: 'at home' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
    });
  }
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return image.jpeg({ quality: 90 }).toBuffer();
}

export async function makePng(width = 200, height = 100): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 255, g: 160, b: 0, alpha: 0.5 } } }).png().toBuffer();
}

/** A JPEG of `width` × `height` of noise, which compresses as badly as a photograph. */
export async function makePhotoJpeg(width: number, height: number): Promise<Buffer> {
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid, tiny PNG whose header claims `width` × `height` pixels: a decompression bomb's shape. */
export function makePixelBombPng(width = 60_000, height = 60_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // RGB
  // One row of zeros, compressed: a real stream, though far too short for the claimed size.
  const rows = deflateSync(Buffer.alloc(1 + width * 3));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

export interface UploadOptions {
  alt?: string;
  roomId?: number;
  /** The name the form gives the file (never trusted). */
  filename?: string;
  /** The type the form declares (never trusted). */
  contentType?: string;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

/** An upload's answer: the picture, or an error. */
export type UploadAnswer = MediaAttachment & { error?: { code: string; message: string } };

/** POSTs `bytes` to `<baseUrl>/media` as a form; the status and the parsed answer. */
export async function uploadPicture(baseUrl: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<{ status: number; headers: Headers; body: UploadAnswer }> {
  const form = new FormData();
  if (options.alt !== undefined) form.set('alt', options.alt);
  if (options.roomId !== undefined) form.set('roomId', String(options.roomId));
  form.set('file', new Blob([bytes], { type: options.contentType ?? 'image/jpeg' }), options.filename ?? 'picture.jpg');
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(`${baseUrl}/media`, { method: 'POST', body: form, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as UploadAnswer };
}
