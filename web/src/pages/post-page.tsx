/**
 * One post in its thread: the posts above it (root first), the post, a reply box, and its direct
 * replies (oldest first, more on demand). `?reply` in the address focuses the reply box.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Post, PostVersion } from '../api/types.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useFailure } from '../app/use-failure.js';
import { Compose } from '../components/compose.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { PostItem, replyPath } from '../components/post-item.js';
import { withPost } from '../components/post-list.js';
import { TimeAgo } from '../components/time-ago.js';
import { usePages } from '../components/use-pages.js';

export function PostPage({ postId }: { postId: number }) {
  const [post, setPost] = useState<Post>();
  const [above, setAbove] = useState<Post[]>([]);
  const [error, fail] = useFailure();
  const replyBox = useRef<HTMLTextAreaElement>(null);
  const wantsReply = new URLSearchParams(location.search).has('reply');

  useEffect(() => {
    api.post(postId).then(setPost, fail);
    api.ancestors(postId).then((thread) => setAbove(thread.items), fail);
  }, [postId, fail]);

  const load = useCallback((cursor: string | null) => api.replies(postId, { cursor }), [postId]);
  const replies = usePages<Post>(load, postId);

  const loaded = post !== undefined;
  useEffect(() => {
    if (loaded && wantsReply) focusAtEnd(replyBox.current);
  }, [loaded, wantsReply]);

  if (!post) return error ? <NotShown message={error} /> : <p>Loading…</p>;

  const focusReply = () => focusAtEnd(replyBox.current);
  const replied = (reply: Post) => {
    setPost({ ...post, repliesCount: post.repliesCount + 1 });
    // At the end, where it belongs (oldest first); a later page that holds it too moves it there.
    replies.update((items) => [...items.filter((p) => p.id !== reply.id), reply]);
  };
  const thread = (item: Post, onChange: (p: Post) => void, onRemoved: () => void) => (
    <li key={item.id}>
      <PostItem post={item} inThread onChange={onChange} onRemoved={onRemoved} onReply={() => navigate(replyPath(item.id))} />
    </li>
  );

  return (
    <>
      <h1>Post</h1>
      {above.length > 0 && (
        <ol class="posts thread" aria-label="Thread above">
          {above.map((item) =>
            thread(
              item,
              (changed) => setAbove((items) => withPost(items, changed)),
              () => setAbove((items) => items.filter((p) => p.id !== item.id)),
            ),
          )}
        </ol>
      )}
      <div class="main-post">
        <PostItem post={post} inThread={above.length > 0} onChange={setPost} onRemoved={() => navigate('/', { replace: true })} onReply={focusReply} />
        {post.editedAt !== null && <EarlierVersions postId={post.id} editedAt={post.editedAt} />}
      </div>
      <Compose key={post.id} replyTo={post} textarea={replyBox} onPosted={replied} />
      <section aria-label="Replies">
        <h2>Replies</h2>
        <Alert message={replies.error} />
        <ol class="posts thread">
          {uniqueLast(replies.items).map((item) =>
            thread(
              item,
              (changed) => replies.update((items) => withPost(items, changed)),
              () => {
                replies.update((items) => items.filter((p) => p.id !== item.id));
                setPost((p) => p && { ...p, repliesCount: Math.max(0, p.repliesCount - 1) });
              },
            ),
          )}
        </ol>
        {!replies.loading && replies.items.length === 0 && !replies.error && <p>No replies yet.</p>}
        <MoreButton pages={replies} label="Show more replies" />
      </section>
    </>
  );
}

/** Focuses the reply box after what it holds (the mention it starts with). */
function focusAtEnd(field: HTMLTextAreaElement | null): void {
  if (!field) return;
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
}

/** Each post once, where it last appears: a reply added at the end and then read again in a later page moves there. */
function uniqueLast(items: Post[]): Post[] {
  const last = new Map(items.map((item, index) => [item.id, index]));
  return items.filter((item, index) => last.get(item.id) === index);
}

function NotShown({ message }: { message: string }) {
  return (
    <>
      <h1>Post</h1>
      <Alert message={message} />
      <p>
        <a href="/">Go home</a>
      </p>
    </>
  );
}

/** An edited post's earlier texts, oldest first, read when first opened. */
function EarlierVersions({ postId, editedAt }: { postId: number; editedAt: string }) {
  const [open, setOpen] = useState(false);
  // A new edit is a new list: read it again.
  const load = useCallback((cursor: string | null) => (open ? api.postEdits(postId, { cursor }) : Promise.resolve({ items: [], nextCursor: null })), [postId, open, editedAt]);
  const versions = usePages<PostVersion>(load, `${postId} ${open} ${editedAt}`);
  return (
    <details class="versions" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Earlier versions</summary>
      <Alert message={versions.error} />
      <ol>
        {versions.items.map((version) => (
          <li key={version.editedAt}>
            <TimeAgo iso={version.editedAt} />
            <p class="text">{version.text}</p>
          </li>
        ))}
      </ol>
      <MoreButton pages={versions} label="Show later versions" />
    </details>
  );
}
