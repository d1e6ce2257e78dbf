/**
 * The pictures picked for a post or a message, before it is sent: each shown from memory, with
 * the description typed for it. A picture's description is given with its upload and cannot be
 * changed after, so they are uploaded when the post or message is sent, each with its
 * description; an upload is reused while its description stays as it was (a retry after a
 * failure uploads only what still needs it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.js';
import { MAX_MEDIA_PER_ITEM, type MediaAttachment, type UploadOptions } from '../api/types.js';
import { api, isUnauthorized } from '../app/api.js';
import { NOT_A_PICTURE, uploadErrorText } from './upload-errors.js';

export interface PictureDraft {
  /** Unique on the page: it names the picture's description field too. */
  key: string;
  file: File;
  /** The file itself, shown before anything is uploaded (an object URL). */
  localUrl: string;
  alt: string;
  status: 'waiting' | 'uploading' | 'failed';
  /** Why its upload failed, for the reader. */
  error?: string;
  /** Its upload, and the description it was made with. */
  uploaded?: { id: number; alt: string };
}

export interface PictureDrafts {
  items: readonly PictureDraft[];
  /** Whether another picture fits. */
  canAdd: boolean;
  /** Whether some picture has no description. */
  undescribed: boolean;
  /** Said once when some picked files were left out (too many, or not pictures). */
  notice: string | undefined;
  add: (files: readonly File[]) => void;
  remove: (key: string) => void;
  describe: (key: string, alt: string) => void;
  /**
   * Uploads what is not uploaded yet with its description (`roomId` for a chat room; `anew`
   * uploads every picture again, when the server no longer takes the earlier uploads) and
   * resolves their ids in order; when one fails, each failed picture says why and this rejects.
   */
  upload: (options?: { roomId?: number; anew?: boolean }) => Promise<number[]>;
  /** Empties the list once the post or message is sent. */
  clear: () => void;
}

/** The id of a picture's description field. */
export const descriptionFieldId = (key: string): string => `picture-description-${key}`;

let lastKey = 0;

/** The server is busy with other pictures: waiting what it asks, at most this long, then trying again. */
const MAX_BUSY_WAIT_SECONDS = 10;
const BUSY_RETRIES = 2;

async function uploadPatiently(file: File, options: UploadOptions): Promise<MediaAttachment> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.uploadMedia(file, options);
    } catch (err) {
      const wait = err instanceof ApiError && err.code === 'MEDIA_BUSY' ? (err.retryAfterSeconds ?? 1) : undefined;
      if (wait === undefined || wait > MAX_BUSY_WAIT_SECONDS || attempt >= BUSY_RETRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
}

/** A file the browser says is something other than a picture; an unknown type is left to the server. */
const plainlyNotAPicture = (file: File): boolean => file.type !== '' && !file.type.startsWith('image/');

export function usePictureDrafts(): PictureDrafts {
  const [items, setItems] = useState<PictureDraft[]>([]);
  const [notice, setNotice] = useState<string>();
  const held = useRef(items);
  held.current = items;

  // The pictures held in memory go with the form.
  useEffect(() => () => held.current.forEach((draft) => URL.revokeObjectURL(draft.localUrl)), []);

  const change = (key: string, changes: Partial<PictureDraft>) => setItems((list) => list.map((draft) => (draft.key === key ? { ...draft, ...changes } : draft)));

  const add = (files: readonly File[]) => {
    const pictures = files.filter((file) => !plainlyNotAPicture(file));
    const taken = pictures.slice(0, MAX_MEDIA_PER_ITEM - held.current.length);
    if (pictures.length < files.length) setNotice(NOT_A_PICTURE);
    else if (taken.length < pictures.length) setNotice(`${MAX_MEDIA_PER_ITEM} pictures at most: ${pictures.length - taken.length === 1 ? 'one was' : `${pictures.length - taken.length} were`} left out.`);
    else setNotice(undefined);
    const added = taken.map((file): PictureDraft => ({ key: String(++lastKey), file, localUrl: URL.createObjectURL(file), alt: '', status: 'waiting' }));
    setItems((list) => [...list, ...added]);
  };

  const remove = (key: string) => {
    const draft = held.current.find((d) => d.key === key);
    if (draft) URL.revokeObjectURL(draft.localUrl);
    setItems((list) => list.filter((d) => d.key !== key));
    setNotice(undefined);
  };

  const upload = async ({ roomId, anew = false }: { roomId?: number; anew?: boolean } = {}): Promise<number[]> => {
    const ids: number[] = [];
    let failed = false;
    for (const draft of held.current) {
      const alt = draft.alt.trim();
      if (draft.uploaded?.alt === alt && !anew) {
        ids.push(draft.uploaded.id);
        continue;
      }
      change(draft.key, { status: 'uploading', error: undefined });
      try {
        const picture = await uploadPatiently(draft.file, roomId === undefined ? { alt } : { alt, roomId });
        change(draft.key, { status: 'waiting', uploaded: { id: picture.id, alt } });
        ids.push(picture.id);
      } catch (err) {
        if (isUnauthorized(err)) throw err;
        change(draft.key, { status: 'failed', error: uploadErrorText(err) });
        failed = true;
      }
    }
    if (failed) throw new Error('A picture could not be uploaded: what went wrong is under it.');
    return ids;
  };

  return {
    items,
    canAdd: items.length < MAX_MEDIA_PER_ITEM,
    undescribed: items.some((draft) => draft.alt.trim() === ''),
    notice,
    add,
    remove,
    describe: (key, alt) => change(key, { alt }),
    upload,
    clear: () => {
      held.current.forEach((draft) => URL.revokeObjectURL(draft.localUrl));
      setItems([]);
      setNotice(undefined);
    },
  };
}
