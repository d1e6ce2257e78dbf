/**
 * One picture at its full size, over the page: a modal dialog (Escape and Close close it, as does
 * a click beside the picture), with its description under it. The preview, already loaded,
 * shows until the full picture has come. Focus goes back where it was when it closes.
 */
import type { MediaAttachment } from '../api/types.js';
import { useModal } from './modal.js';

interface LightboxProps {
  picture: MediaAttachment;
  onClose: () => void;
}

export function Lightbox({ picture, onClose }: LightboxProps) {
  const dialog = useModal();

  return (
    <dialog
      ref={dialog}
      class="lightbox"
      aria-label={picture.alt ? 'Picture' : 'Picture without a description'}
      onClose={onClose}
      // A click on the dialog itself, not on what it holds, is a click on the backdrop.
      onClick={(event) => event.target === event.currentTarget && event.currentTarget.close()}
    >
      <img
        src={picture.url}
        alt={picture.alt}
        width={picture.width}
        height={picture.height}
        // As large as the window allows at its own shape, never beyond its own size.
        style={{
          width: `min(${picture.width}px, calc(95vw - 2rem), calc((95vh - 6rem) * ${picture.width / Math.max(1, picture.height)}))`,
          backgroundImage: `url("${picture.previewUrl}")`,
        }}
      />
      <div class="row">
        {picture.alt && <p class="description">{picture.alt}</p>}
        <button type="button" onClick={() => dialog.current?.close()} autofocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
