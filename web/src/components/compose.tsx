/** The compose box: a live count of the 280 characters, counted as the server does (code points). */
import { useRef, useState } from 'preact/hooks';
import { MAX_POST_CHARACTERS, type Post } from '../api/types.js';
import { newClientMsgId } from '../protocol/client-msg-id.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Alert } from './field.js';

export function Compose({ onPosted }: { onPosted: (post: Post) => void }) {
  const { refresh } = useSession();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, fail, clear] = useFailure();
  // One key per draft: a retry after a lost answer returns the first post instead of a second.
  const key = useRef(newClientMsgId());

  const length = [...text.trim()].length;
  const left = MAX_POST_CHARACTERS - [...text].length;
  const valid = length > 0 && length <= MAX_POST_CHARACTERS;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!valid) return;
    setBusy(true);
    clear();
    try {
      const post = await api.createPost(text, key.current);
      key.current = newClientMsgId();
      setText('');
      onPosted(post);
      refresh();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="compose" onSubmit={(e) => void submit(e)}>
      <label class="field">
        <span>What's happening?</span>
        <textarea
          value={text}
          rows={3}
          aria-describedby="compose-count"
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
        <span id="compose-count" class={left < 0 ? 'over' : ''}>
          {left < 0 ? `${-left} characters over the limit of ${MAX_POST_CHARACTERS}` : `${left} of ${MAX_POST_CHARACTERS} characters left`}
        </span>
        <button type="submit" disabled={busy || !valid}>
          Post
        </button>
      </div>
      <Alert message={error} />
    </form>
  );
}
