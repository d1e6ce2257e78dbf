/**
 * Receives one upload: a `multipart/form-data` body with the picture in `file` and optional text
 * fields, written to a temporary file as it arrives. Everything is decided while the body streams:
 * a body declared or found larger than the limit is refused at once (413), a file that is not a
 * picture after its first bytes is refused at once (415), and a body that takes too long is
 * refused (408). A refusal answers without reading the rest, and closes the connection.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import { AppError, badRequest } from '@murmur/shared/errors';
import { recognise, SNIFF_BYTES, type AcceptedFormat } from './image-processing.js';

export interface ReceivedUpload {
  /** The temporary file holding the picture's bytes. */
  path: string;
  bytes: number;
  /** The format recognised from its first bytes. */
  format: AcceptedFormat;
  /** The form's text fields, by name; each at most MAX_FIELD_BYTES. */
  fields: Map<string, string>;
}

export interface ReceptionLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Text fields are short (a description of at most 1,500 characters is under 6 KiB of UTF-8). */
const MAX_FIELD_BYTES = 8 * 1024;
/** Room for the multipart framing and text fields around the file, in a declared Content-Length. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = (maxBytes: number) => new AppError(413, 'MEDIA_TOO_LARGE', `the picture is larger than ${maxBytes} bytes`);

/**
 * Reads `req`'s form into `directory` (which the caller removes). On refusal the response is
 * marked to close the connection, so nothing more of the body is read.
 */
export async function receiveUpload(req: Request, res: Response, directory: string, limits: ReceptionLimits): Promise<ReceivedUpload> {
  try {
    return await receive(req, directory, limits);
  } catch (err) {
    // The rest of the body is never read: the connection ends with the answer.
    res.setHeader('Connection', 'close');
    throw err;
  }
}

async function receive(req: Request, directory: string, limits: ReceptionLimits): Promise<ReceivedUpload> {
  if (!req.is('multipart/form-data')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the picture as multipart/form-data, in the field `file`');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes + FORM_OVERHEAD_BYTES) throw tooLarge(limits.maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limits.maxBytes, fields: 10, fieldSize: MAX_FIELD_BYTES, parts: 12 } });
  } catch {
    throw badRequest('VALIDATION_FAILED', 'the body is not a readable multipart/form-data form');
  }
  const fields = new Map<string, string>();
  const filePath = path.join(directory, 'upload');
  let bytes = 0;
  let format: Promise<AcceptedFormat> | undefined;
  let out: WriteStream | undefined;
  /** Resolves once the temporary file is closed, whether it was written whole or not. */
  let written: Promise<void> | undefined;
  let writeError: Error | undefined;

  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    timer = setTimeout(() => fail(new AppError(408, 'UPLOAD_TIMEOUT', `the upload did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    timer.unref();
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(badRequest('VALIDATION_FAILED', `the field \`${name}\` is too long`));
      fields.set(name, value);
    });
    parser.on('file', (name, stream) => {
      if (name !== 'file' || written) {
        stream.resume();
        return fail(badRequest('VALIDATION_FAILED', `send one picture, in the field \`file\` (not \`${name}\`)`));
      }
      const file = createWriteStream(filePath);
      out = file;
      // Not events.once(file, 'close'): that rejects with the error of a write cut short when the
      // file is destroyed on a refusal, which would then replace the refusal (a 413 became a 500).
      written = new Promise((resolve) => file.once('close', resolve));
      // A disk that cannot take the file ends the upload at once; piping stops at the error, and
      // the body would otherwise sit unread until the deadline.
      file.once('error', (err) => {
        writeError = err;
        fail(err);
      });
      let head = Buffer.alloc(0);
      const sniff = () => {
        format ??= recognise(head);
        format.catch(fail);
      };
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (head.length < SNIFF_BYTES) {
          head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
          if (head.length >= SNIFF_BYTES) sniff();
        }
      });
      stream.on('limit', () => fail(tooLarge(limits.maxBytes)));
      stream.on('end', sniff);
      stream.pipe(file);
    });
    parser.on('filesLimit', () => fail(badRequest('VALIDATION_FAILED', 'send one picture per upload')));
    parser.on('partsLimit', () => fail(badRequest('VALIDATION_FAILED', 'the form has too many parts')));
    parser.on('fieldsLimit', () => fail(badRequest('VALIDATION_FAILED', 'the form has too many fields')));
    parser.on('error', () => fail(badRequest('VALIDATION_FAILED', 'the body is not a readable multipart/form-data form')));
    parser.on('close', () => resolve());
    req.on('aborted', () => fail(badRequest('VALIDATION_FAILED', 'the upload was cut off')));
    // The whole body is counted too, whatever it declared: busboy bounds the file alone, and
    // would read a text field, or what lies around the parts, to its end.
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > limits.maxBytes + FORM_OVERHEAD_BYTES) fail(tooLarge(limits.maxBytes));
    });
    req.pipe(parser);
  });
  try {
    await outcome.finally(() => clearTimeout(timer));
  } catch (err) {
    req.unpipe(parser);
    out?.destroy();
    await written;
    throw err;
  }
  await written;
  if (writeError) throw writeError;
  if (!format) throw badRequest('VALIDATION_FAILED', 'the form has no picture in the field `file`');
  if (bytes === 0) throw new AppError(422, 'MEDIA_UNREADABLE', 'the picture is empty');
  return { path: filePath, bytes, format: await format, fields };
}
