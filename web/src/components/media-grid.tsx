/**
 * The pictures of a post or a message: up to four, in rows of equal height where each keeps its
 * aspect ratio, their space kept from their sizes before anything loads (nothing moves), the
 * blurred placeholder drawn until the preview comes. Each opens at full size in a Lightbox.
 */
import { useState } from 'preact/hooks';
import type { MediaAttachment } from '../api/types.js';
import { BlurhashCanvas } from './blurhash-canvas.js';
import { Lightbox } from './lightbox.js';

/** Ratios beyond these (a panorama, a long screenshot) are cropped in the grid, whole in the Lightbox. */
const NARROWEST = 0.5;
const WIDEST = 2.5;

const ratioOf = (picture: MediaAttachment): number =>
  picture.width > 0 && picture.height > 0 ? Math.min(WIDEST, Math.max(NARROWEST, picture.width / picture.height)) : 1;

/** Four pictures make two rows of two; fewer make one row. */
const rowsOf = <T,>(items: readonly T[]): T[][] => (items.length === 4 ? [items.slice(0, 2), items.slice(2)] : [[...items]]);

/** The pictures a post or message carries; none from a server older than pictures. */
export const picturesOf = (item: { media?: readonly MediaAttachment[] }): readonly MediaAttachment[] => item.media ?? [];

interface MediaGridProps {
  media: readonly MediaAttachment[];
  /** `small` in chat, where messages are short. */
  size?: 'normal' | 'small';
}

export function MediaGrid({ media, size = 'normal' }: MediaGridProps) {
  const [open, setOpen] = useState<MediaAttachment>();
  if (media.length === 0) return null;
  return (
    <div class={`media-grid media-${size}`}>
      {rowsOf(media).map((row, r) => (
        <div
          key={r}
          class="media-row"
          // At most as wide as makes the row as high as the grid allows: tall pictures are not blown up.
          style={{ width: `min(100%, calc(var(--media-max-height) * ${row.reduce((sum, p) => sum + ratioOf(p), 0)}))` }}
        >
          {row.map((picture) => (
            <MediaTile key={picture.id} picture={picture} label={media.length === 1 ? 'View picture' : `View picture ${media.indexOf(picture) + 1} of ${media.length}`} onOpen={() => setOpen(picture)} />
          ))}
        </div>
      ))}
      {open && <Lightbox picture={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

interface MediaTileProps {
  picture: MediaAttachment;
  /** The name of the button that opens it at full size. */
  label: string;
  onOpen: () => void;
}

/**
 * One picture in its reserved space: the placeholder under the preview, and over both a button
 * (the picture stays an image for screen readers, with its description as its text).
 */
function MediaTile({ picture, label, onOpen }: MediaTileProps) {
  const ratio = ratioOf(picture);
  return (
    <div class="media-tile" style={{ aspectRatio: String(ratio), flexGrow: ratio }}>
      <BlurhashCanvas hash={picture.blurhash} />
      <img src={picture.previewUrl} alt={picture.alt} width={picture.width} height={picture.height} loading="lazy" decoding="async" />
      <button type="button" class="media-open" aria-label={label} onClick={onOpen} />
    </div>
  );
}
