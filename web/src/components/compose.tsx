/**
 * The compose box, for a new post or a reply: a live count of the 280 characters, counted as the
 * server does (code points), and up to four pictures, each with its description (asked for once
 * when one is missing). The pictures are uploaded when the post goes, with their descriptions.
 */
import type { Ref } from 'preact';
import { useId, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.js';
import { MAX_POST_CHARACTERS, type Post } from '../api/types.js';
import { newClientMsgId } from '../protocol/client-msg-id.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { characters } from './characters.js';
import { Alert } from './field.js';
import { MissingDescriptionPrompt } from './missing-description-prompt.js';
import { PictureDraftList } from './picture-draft-list.js';
import { PictureFileButton } from './picture-file-button.js';
import { usePictureDrafts } from './use-picture-drafts.js';

export { characters };

/** Whether `text` is a post the server takes: at most 280 characters once trimmed, and some unless it has pictures. */
export const fitsPost = (text: string, pictures = 0): boolean => {
  const length = characters(text.trim());
  return (length > 0 || pictures > 0) && length <= MAX_POST_CHARACTERS;
};

/** Uploads the server no longer takes: attached by an attempt whose answer was lost, or expired. */
const STALE_UPLOADS = new Set(['MEDIA_ALREADY_ATTACHED', 'MEDIA_NOT_FOUND']);

/** What is left of a limit, said for the eye and for screen readers (a field's description). */
export function CharactersLeft({ id, text, max }: { id: string; text: string; max: number }) {
  const left = max - characters(text);
  return (
    <span id={id} class={left < 0 ? 'over' : ''}>
      {left < 0 ? `${-left} characters over the limit of ${max}` : `${left} of ${max} characters left`}
    </span>
  );
}

interface ComposeProps {
  onPosted: (post: Post) => void;
  /** The post answered: the box becomes a reply box, starting with a mention of its author. */
  replyTo?: Post;
  /** The text field, for a page that focuses it. */
  textarea?: Ref<HTMLTextAreaElement>;
}

export function Compose({ onPosted, replyTo, textarea }: ComposeProps) {
  const { me, refresh } = useSession();
  const [text, setText] = useState(() => (replyTo && replyTo.author.id !== me.id ? `@${replyTo.author.username} ` : ''));
  const pictures = usePictureDrafts();
  const [asking, setAsking] = useState(false);
  // Said yes to once, the question about descriptions is not asked again for this post.
  const [withoutDescriptions, setWithoutDescriptions] = useState(false);
  const { busy, error, run } = useAction();
  const countId = useId();
  // One key per draft (its text, pictures and descriptions): a retry after a lost answer returns
  // the first post instead of a second.
  const draft = `${text}\u0000${pictures.items.map((p) => `${p.key}:${p.alt}`).join('\u0000')}`;
  const key = useMemo(() => newClientMsgId(), [draft]);
  const valid = fitsPost(text, pictures.items.length);

  const create = async (): Promise<Post> => {
    const mediaIds = await pictures.upload();
    try {
      return await api.createPost(text, { inReplyToId: replyTo?.id, idempotencyKey: key, mediaIds });
    } catch (err) {
      if (!(err instanceof ApiError && STALE_UPLOADS.has(err.code)) || mediaIds.length === 0) throw err;
      const again = await pictures.upload({ anew: true });
      return api.createPost(text, { inReplyToId: replyTo?.id, idempotencyKey: newClientMsgId(), mediaIds: again });
    }
  };

  const submit = (descriptionsChecked: boolean) => {
    if (!valid || busy) return;
    if (pictures.undescribed && !descriptionsChecked) return setAsking(true);
    setAsking(false);
    void run(async () => {
      const post = await create();
      setText('');
      pictures.clear();
      setWithoutDescriptions(false);
      onPosted(post);
      refresh();
    });
  };

  return (
    <form
      class="compose"
      onSubmit={(e) => {
        e.preventDefault();
        submit(withoutDescriptions);
      }}
    >
      <label class="field">
        <span>{replyTo ? 'Your reply' : "What's happening?"}</span>
        <textarea
          ref={textarea}
          value={text}
          rows={3}
          aria-describedby={countId}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit(withoutDescriptions);
            }
          }}
        />
      </label>
      <PictureDraftList drafts={pictures} disabled={busy} />
      <Alert message={pictures.notice} />
      {asking && pictures.undescribed && (
        <MissingDescriptionPrompt
          question={replyTo ? 'Send without an image description?' : 'Post without an image description?'}
          drafts={pictures}
          onGoAhead={() => {
            setWithoutDescriptions(true);
            submit(true);
          }}
          onDismiss={() => setAsking(false)}
        />
      )}
      <div class="row">
        <CharactersLeft id={countId} text={text} max={MAX_POST_CHARACTERS} />
        <div class="row">
          <PictureFileButton label="Add image" multiple disabled={busy || !pictures.canAdd} onPick={pictures.add} />
          {/* "Send", not "Reply": every post beside the box has a Reply button. */}
          <button type="submit" disabled={busy || !valid}>
            {replyTo ? 'Send' : 'Post'}
          </button>
        </div>
      </div>
      <Alert message={error} />
    </form>
  );
}
