/**
 * Settings: the avatar, the profile (display name, bio), the account (its email address's
 * verification, and the link to Security), the accounts one blocks and mutes, and deleting the
 * account after a confirmation.
 */
import { useId, useState } from 'preact/hooks';
import { UnverifiedEmailNotice } from '../account/email-verification.js';
import { MAX_BIO_CHARACTERS, MAX_DISPLAY_NAME_CHARACTERS } from '../api/types.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { AvatarSettings } from '../components/avatar-settings.js';
import { CharactersLeft, characters } from '../components/compose.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Alert, Field } from '../components/field.js';

export function SettingsPage() {
  const session = useSession();
  const [deleting, setDeleting] = useState(false);

  const { me } = session;
  return (
    <>
      <h1>Settings</h1>
      <UnverifiedEmailNotice />
      <AvatarSettings />
      <ProfileForm />
      <h2>Account</h2>
      <dl class="account">
        <dt>Username</dt>
        <dd>{me.username}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Member since</dt>
        <dd>{new Date(me.createdAt).toLocaleDateString()}</dd>
      </dl>
      <ul class="links">
        <li>
          <a href="/settings/security">Password, sessions and two-factor authentication</a>
        </li>
      </ul>
      <h2>Blocks and mutes</h2>
      <ul class="links">
        <li>
          <a href="/settings/blocked">Blocked accounts</a>
        </li>
        <li>
          <a href="/settings/muted">Muted accounts</a>
        </li>
      </ul>
      <h2>Delete account</h2>
      <p>Your posts, follows and memberships go; your chat messages stay as “deleted” in their rooms.</p>
      <button type="button" class="danger" onClick={() => setDeleting(true)}>
        Delete account
      </button>
      {deleting && (
        <ConfirmDialog
          title="Delete your account?"
          description="This cannot be undone."
          confirm="Delete my account"
          danger
          onConfirm={async () => {
            await api.deleteAccount();
            session.end('Your account was deleted.');
          }}
          onClose={() => setDeleting(false)}
        />
      )}
    </>
  );
}

/** The display name and bio others see on the profile; Save sends both. */
function ProfileForm() {
  const { me, refresh } = useSession();
  const [displayName, setDisplayName] = useState(me.displayName ?? '');
  const [bio, setBio] = useState(me.bio);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const nameCount = useId();
  const bioCount = useId();
  const valid = characters(displayName.trim()) <= MAX_DISPLAY_NAME_CHARACTERS && characters(bio.trim()) <= MAX_BIO_CHARACTERS;

  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setSaved(false);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!valid || busy) return;
    await run(async () => {
      // An empty display name removes it: the username shows instead.
      const profile = await api.editProfile({ displayName: displayName.trim() || null, bio });
      setDisplayName(profile.displayName ?? '');
      setBio(profile.bio);
      setSaved(true);
      refresh();
    });
  };

  return (
    <form class="profile-form" onSubmit={(e) => void save(e)}>
      <h2>Profile</h2>
      <Field label="Display name" value={displayName} onValue={edit(setDisplayName)} aria-describedby={nameCount} autocomplete="name" />
      <p class="hint">
        <CharactersLeft id={nameCount} text={displayName.trim()} max={MAX_DISPLAY_NAME_CHARACTERS} />
      </p>
      <label class="field">
        <span>Bio</span>
        <textarea value={bio} rows={4} aria-describedby={bioCount} onInput={(e) => edit(setBio)(e.currentTarget.value)} />
      </label>
      <p class="hint">
        <CharactersLeft id={bioCount} text={bio.trim()} max={MAX_BIO_CHARACTERS} />
      </p>
      <div class="row">
        <button type="submit" disabled={busy || !valid}>
          Save
        </button>
        <span role="status">{saved ? 'Saved' : ''}</span>
      </div>
      <Alert message={error} />
    </form>
  );
}
