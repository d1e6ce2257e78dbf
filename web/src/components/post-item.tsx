/**
 * One post wherever posts are listed: who wrote it (and who reposted it), its text with links, its
 * pictures, and what the reader can do: Reply, Like / Unlike, Repost / Undo repost with their counts beside the
 * buttons (so no button's name holds another's), Edit and Delete on their own posts, and Report on
 * anyone else's.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { MAX_POST_CHARACTERS, type Post, type UserSummary } from '../api/types.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { CharactersLeft, fitsPost } from './compose.js';
import { Avatar } from './avatar.js';
import { Alert } from './field.js';
import { MediaGrid, picturesOf } from './media-grid.js';
import { PostText } from './post-text.js';
import { ReportButton } from './report-dialog.js';
import { postReport } from './report-subject.js';
import { TimeAgo } from './time-ago.js';

/** The name to show: the display name where set, else the username. */
export const nameOf = (user: Pick<UserSummary, 'username' | 'displayName'>): string => user.displayName ?? user.username;

export const postPath = (id: number): string => `/posts/${id}`;

/** The address of a post's page with its reply box focused. */
export const replyPath = (id: number): string => `${postPath(id)}?reply`;

interface PostItemProps {
  post: Post;
  /** The post as the server now answers it (liked, edited, …). */
  onChange: (post: Post) => void;
  onRemoved: () => void;
  /** What Reply does; by default it opens the post's page at its reply box. */
  onReply?: () => void;
  /** In a thread the post above is in sight, so "Replying to" is not said. */
  inThread?: boolean;
}

export function PostItem({ post, onChange, onRemoved, onReply, inThread = false }: PostItemProps) {
  const { me, refresh } = useSession();
  const [draft, setDraft] = useState<string>();
  const { busy, error, run } = useAction();
  const own = post.author.id === me.id;

  const change = (call: () => Promise<Post>) => run(async () => onChange(await call()));

  const save = (event: Event) => {
    event.preventDefault();
    if (draft === undefined || !fitsPost(draft)) return;
    // The same text again would only add a version nobody can tell apart.
    if (draft.trim() === post.text) return setDraft(undefined);
    void change(async () => {
      const edited = await api.editPost(post.id, draft);
      setDraft(undefined);
      return edited;
    });
  };

  const remove = () =>
    run(async () => {
      await api.deletePost(post.id);
      onRemoved();
      refresh();
    });

  // Replying to oneself continues a thread: nothing to say.
  const answered = post.inReplyToId !== null && !inThread ? post.mentions.find((m) => m.id === post.inReplyToUserId) : undefined;
  return (
    <article aria-label={`Post by ${post.author.username}`} class="post">
      {post.repostedBy && (
        <p class="context muted">
          <Avatar user={post.repostedBy} size="small" /> Reposted by <a href={`/users/${post.repostedBy.id}`}>{nameOf(post.repostedBy)}</a>
        </p>
      )}
      {post.inReplyToId !== null && !inThread && (
        <p class="context muted">
          Replying to <a href={postPath(post.inReplyToId)}>{answered ? `${answered.username}’s post` : 'an earlier post'}</a>
        </p>
      )}
      <header>
        <Avatar user={post.author} />{' '}
        <a href={`/users/${post.author.id}`} class="author">
          {nameOf(post.author)}
        </a>{' '}
        {post.author.displayName !== null && <span class="muted">@{post.author.username} </span>}
        <a href={postPath(post.id)} class="muted">
          <TimeAgo iso={post.createdAt} />
        </a>
        {post.editedAt !== null && (
          <span class="muted" title={`Edited ${new Date(post.editedAt).toLocaleString()}`}>
            {' '}
            · edited
          </span>
        )}
      </header>
      {draft === undefined ? (
        post.text && <PostText post={post} />
      ) : (
        <EditForm draft={draft} busy={busy} onDraft={setDraft} onSave={save} onCancel={() => setDraft(undefined)} />
      )}
      <MediaGrid media={picturesOf(post)} />
      <div class="actions">
        <CountedButton label="Reply" onClick={onReply ?? (() => navigate(replyPath(post.id)))} n={post.repliesCount} one="reply" many="replies" />
        <CountedButton
          label={post.liked ? 'Unlike' : 'Like'}
          disabled={busy}
          onClick={() => void change(() => (post.liked ? api.unlike(post.id) : api.like(post.id)))}
          n={post.likesCount}
          one="like"
          many="likes"
        />
        <CountedButton
          label={post.reposted ? 'Undo repost' : 'Repost'}
          disabled={busy}
          onClick={() => void change(() => (post.reposted ? api.unrepost(post.id) : api.repost(post.id)))}
          n={post.repostsCount}
          one="repost"
          many="reposts"
        />
        {own && draft === undefined && (
          <button type="button" class="link" onClick={() => setDraft(post.text)}>
            Edit
          </button>
        )}
        {own && (
          // Named plainly, inside the article named after its author: a name holding "post" would also match the Post button.
          <button type="button" class="link" disabled={busy} onClick={() => void remove()}>
            Delete
          </button>
        )}
        {!own && <ReportButton subject={postReport(post)} username={post.author.username} class="link" />}
      </div>
      <Alert message={error} />
    </article>
  );
}

interface EditFormProps {
  draft: string;
  busy: boolean;
  onDraft: (text: string) => void;
  onSave: (event: Event) => void;
  onCancel: () => void;
}

/** The inline editor of one's own post, focused when it opens. */
function EditForm({ draft, busy, onDraft, onSave, onCancel }: EditFormProps) {
  const countId = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <form class="edit" onSubmit={onSave}>
      <label class="field">
        <span>New text</span>
        <textarea ref={field} value={draft} rows={3} aria-describedby={countId} onInput={(e) => onDraft(e.currentTarget.value)} />
      </label>
      <div class="row">
        <CharactersLeft id={countId} text={draft} max={MAX_POST_CHARACTERS} />
        <button type="submit" disabled={busy || !fitsPost(draft)}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface CountedButtonProps {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  n: number;
  one: string;
  many: string;
}

/**
 * A button with its count beside it, outside its name: whole for screen readers ("3 likes"), the
 * number alone for the eye.
 */
function CountedButton({ label, onClick, disabled, n, one, many }: CountedButtonProps) {
  return (
    <span>
      <button type="button" class="link" disabled={disabled} onClick={onClick}>
        {label}
      </button>
      <span class="count">
        {n}
        <span class="visually-hidden"> {n === 1 ? one : many}</span>
      </span>
    </span>
  );
}
