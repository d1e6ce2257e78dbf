/**
 * The round picture beside a name: the account's avatar, or its initial on a plain disc when it
 * has none. Always beside the name it belongs to, so screen readers skip it (the name says who).
 */

interface AvatarProps {
  user: { username: string; displayName?: string | null; avatarUrl?: string | null };
  size?: 'small' | 'normal' | 'large';
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first character a reader sees of the name (a whole emoji or accented letter, not half of one). */
function initialOf(name: string): string {
  const first = GRAPHEMES.segment(name)[Symbol.iterator]().next();
  return first.done ? '?' : first.value.segment.toLocaleUpperCase();
}

export function Avatar({ user, size = 'normal' }: AvatarProps) {
  const classes = `avatar avatar-${size}`;
  if (user.avatarUrl) return <img class={classes} src={user.avatarUrl} alt="" loading="lazy" decoding="async" />;
  return (
    <span class={`${classes} avatar-initial`} aria-hidden="true">
      {initialOf(user.displayName ?? user.username)}
    </span>
  );
}
