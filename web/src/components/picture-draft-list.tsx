/**
 * The pictures picked for a post or a message: each a thumbnail with its state (uploading, or why
 * it failed), a remove button, and its `Image description` field.
 */
import { MAX_ALT_CHARACTERS } from '../api/types.js';
import { descriptionFieldId, type PictureDraft, type PictureDrafts } from './use-picture-drafts.js';

export function PictureDraftList({ drafts, disabled }: { drafts: PictureDrafts; disabled: boolean }) {
  if (drafts.items.length === 0) return null;
  return (
    <ul class="picture-drafts" aria-label="Pictures to add">
      {drafts.items.map((draft, index) => (
        <li key={draft.key}>
          <PictureDraftItem draft={draft} name={`Picture ${index + 1}: ${draft.file.name}`} drafts={drafts} disabled={disabled} />
        </li>
      ))}
    </ul>
  );
}

interface PictureDraftItemProps {
  draft: PictureDraft;
  /** The group's name, which tells its description field and remove button from the others'. */
  name: string;
  drafts: PictureDrafts;
  disabled: boolean;
}

function PictureDraftItem({ draft, name, drafts, disabled }: PictureDraftItemProps) {
  return (
    <div role="group" aria-label={name} class="picture-draft">
      <div class="thumb">
        <img src={draft.localUrl} alt="" />
        {draft.status === 'uploading' && (
          <span class="uploading" role="status">
            Uploading…
          </span>
        )}
        <button type="button" class="remove" aria-label="Remove picture" title="Remove picture" disabled={disabled} onClick={() => drafts.remove(draft.key)}>
          ×
        </button>
      </div>
      <label class="field">
        <span>Image description</span>
        <textarea
          id={descriptionFieldId(draft.key)}
          value={draft.alt}
          rows={2}
          maxLength={MAX_ALT_CHARACTERS}
          disabled={disabled}
          placeholder="What the picture shows, for those who cannot see it"
          onInput={(event) => drafts.describe(draft.key, event.currentTarget.value)}
        />
      </label>
      {draft.error && (
        <p role="alert" class="alert">
          {draft.error}
        </p>
      )}
    </div>
  );
}
