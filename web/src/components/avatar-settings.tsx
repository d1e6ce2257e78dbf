/**
 * Settings' Avatar section: the avatar as others see it, a picture chosen to replace it (shown at
 * once, uploaded, then set), and `Remove avatar`.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.js';
import { api, isUnauthorized } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { Avatar } from './avatar.js';
import { Alert } from './field.js';
import { PictureFileButton } from './picture-file-button.js';
import { uploadErrorText } from './upload-errors.js';

export function AvatarSettings() {
  const { me, refresh } = useSession();
  const [avatarUrl, setAvatarUrl] = useState(me.avatarUrl);
  // The picture chosen, shown from memory while it uploads.
  const [chosen, setChosen] = useState<string>();
  const [done, setDone] = useState('');
  const { busy, error, run } = useAction();

  useEffect(() => (chosen ? () => URL.revokeObjectURL(chosen) : undefined), [chosen]);

  const change = (avatarMediaId: number | null, said: string) => async () => {
    const profile = await api.editProfile({ avatarMediaId });
    setAvatarUrl(profile.avatarUrl);
    setDone(said);
    // The navigation shows it too.
    refresh();
  };

  const choose = (file: File) => {
    setDone('');
    setChosen(URL.createObjectURL(file));
    void run(async () => {
      try {
        const picture = await api.uploadMedia(file);
        await change(picture.id, 'Avatar saved')();
      } catch (err) {
        // A refusal says why in words; an ended session is the action's to handle.
        throw err instanceof ApiError && !isUnauthorized(err) ? new Error(uploadErrorText(err)) : err;
      } finally {
        setChosen(undefined);
      }
    });
  };

  const shown = chosen ?? avatarUrl;
  return (
    <section class="avatar-settings" aria-labelledby="avatar-title">
      <h2 id="avatar-title">Avatar</h2>
      <div class="row">
        <Avatar user={{ ...me, avatarUrl: shown }} size="large" />
        <PictureFileButton label={avatarUrl ? 'Change avatar' : 'Choose avatar'} disabled={busy} onPick={(files) => files[0] && choose(files[0])} />
        {avatarUrl && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setDone('');
              void run(change(null, 'Avatar removed'));
            }}
          >
            Remove avatar
          </button>
        )}
        <span role="status">{busy ? (chosen ? 'Uploading…' : 'Saving…') : done}</span>
      </div>
      <Alert message={error} />
    </section>
  );
}
