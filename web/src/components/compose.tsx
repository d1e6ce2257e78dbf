/**
 * The compose box, for a new post or a reply: a live count of the 280 characters, counted as the
 * server does (code points).
 */
import type { Ref } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { MAX_POST_CHARACTERS, type Post } from '../api/types.js';
import { newClientMsgId } from '../protocol/client-msg-id.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { Alert } from './field.js';

/** Characters as the server counts them: code points, so an emoji is one. */
export const characters = (text: string): number => [...text].length;

/** Whether `text` is a post the server takes: 1 to 280 characters once trimmed. */
export const fitsPost = (text: string): boolean => {
  const length = characters(text.trim());
  return length > 0 && length <= MAX_POST_CHARACTERS;
};

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
  const { busy, error, run } = useAction();
  const countId = useId();
  // One key per draft: a retry after a lost answer returns the first post instead of a second.
  const key = useRef(newClientMsgId());
  const valid = fitsPost(text);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!valid || busy) return;
    await run(async () => {
      const post = await api.createPost(text, { inReplyToId: replyTo?.id, idempotencyKey: key.current });
      key.current = newClientMsgId();
      setText('');
      onPosted(post);
      refresh();
    });
  };

  return (
    <form class="compose" onSubmit={(e) => void submit(e)}>
      <label class="field">
        <span>{replyTo ? 'Your reply' : "What's happening?"}</span>
        <textarea
          ref={textarea}
          value={text}
          rows={3}
          aria-describedby={countId}
          onInput={(e) => {
            setText(e.currentTarget.value);
            key.current = newClientMsgId();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
          }}
        />
      </label>
      <div class="row">
        <CharactersLeft id={countId} text={text} max={MAX_POST_CHARACTERS} />
        {/* "Send", not "Reply": every post beside the box has a Reply button. */}
        <button type="submit" disabled={busy || !valid}>
          {replyTo ? 'Send' : 'Post'}
        </button>
      </div>
      <Alert message={error} />
    </form>
  );
}
