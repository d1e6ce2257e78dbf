/**
 * A room's composer: the message, and up to four pictures with their descriptions, uploaded for
 * this room when the message goes (in a private or direct room, its members alone see them).
 * Enter sends; Shift+Enter starts a new line. A message sent while the connection is down shows
 * as pending and goes once it is back; pictures need the connection to upload.
 */
import { useState } from 'preact/hooks';
import { MAX_MESSAGE_CHARS } from '../protocol/events.js';
import type { RoomConnection } from '../protocol/room-connection.js';
import { useAction } from '../app/use-failure.js';
import { Alert } from '../components/field.js';
import { MissingDescriptionPrompt } from '../components/missing-description-prompt.js';
import { PictureDraftList } from '../components/picture-draft-list.js';
import { PictureFileButton } from '../components/picture-file-button.js';
import { usePictureDrafts } from '../components/use-picture-drafts.js';

interface MessageComposerProps {
  roomId: number;
  connection: RoomConnection;
  /** The room can take no more messages from this person (session ended, removed). */
  closed: boolean;
}

export function MessageComposer({ roomId, connection, closed }: MessageComposerProps) {
  const [text, setText] = useState('');
  const pictures = usePictureDrafts();
  const [asking, setAsking] = useState(false);
  // Said yes to once, the question about descriptions is not asked again for this message.
  const [withoutDescriptions, setWithoutDescriptions] = useState(false);
  const { busy: uploading, error, run } = useAction();

  const length = [...text].length;
  const canSend = (text.trim().length > 0 || pictures.items.length > 0) && length <= MAX_MESSAGE_CHARS && !closed && !uploading;

  const send = (descriptionsChecked: boolean) => {
    if (!canSend) return;
    if (pictures.undescribed && !descriptionsChecked) return setAsking(true);
    setAsking(false);
    if (pictures.items.length === 0) {
      // Sent now if connected, else as soon as the connection is back: it shows as pending meanwhile.
      connection.send(text);
      setText('');
      return;
    }
    const sent = text;
    void run(async () => {
      const mediaIds = await pictures.upload({ roomId });
      connection.send(sent, mediaIds);
      // What was typed while the pictures uploaded stays.
      setText((now) => (now === sent ? '' : now));
      pictures.clear();
      setWithoutDescriptions(false);
    });
  };

  return (
    <div class="composer-box">
      <PictureDraftList drafts={pictures} disabled={uploading} />
      <Alert message={pictures.notice} />
      {asking && pictures.undescribed && (
        <MissingDescriptionPrompt
          question="Send without an image description?"
          drafts={pictures}
          onGoAhead={() => {
            setWithoutDescriptions(true);
            send(true);
          }}
          onDismiss={() => setAsking(false)}
        />
      )}
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          send(withoutDescriptions);
        }}
      >
        <label class="field grow">
          <span class="visually-hidden">Message</span>
          <textarea
            rows={2}
            value={text}
            placeholder="Write a message"
            onInput={(e) => {
              setText(e.currentTarget.value);
              connection.typing();
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send(withoutDescriptions);
              }
            }}
          />
        </label>
        <PictureFileButton label="Add image" multiple disabled={uploading || closed || !pictures.canAdd} onPick={pictures.add} />
        <button type="submit" disabled={!canSend}>
          Send
        </button>
      </form>
      {length > MAX_MESSAGE_CHARS && (
        <p class="alert">
          {length - MAX_MESSAGE_CHARS} characters over the limit of {MAX_MESSAGE_CHARS}.
        </p>
      )}
      <Alert message={error} />
    </div>
  );
}
