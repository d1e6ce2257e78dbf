/**
 * A profile's Mute / Unmute, Block / Unblock and Report. Blocking asks first, saying what a block
 * does; muting asks whether the account's notifications go too (without them it mutes posts alone).
 * Nothing tells the other account of a mute.
 */
import { useState } from 'preact/hooks';
import type { Relationship, ViewedProfile } from '../api/types.js';
import { api } from '../app/api.js';
import { useAction } from '../app/use-failure.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Alert } from './field.js';
import { ReportButton } from './report-dialog.js';
import { accountReport } from './report-subject.js';

interface SafetyActionsProps {
  profile: ViewedProfile & { relationship: Relationship };
  /** The relationship as the server now answers it. */
  onRelationship: (relationship: Relationship) => void;
  /** A block or unblock changed more than the relationship (follows ended both ways): read the profile again. */
  onBlockChanged: () => Promise<void>;
}

export function SafetyActions({ profile, onRelationship, onBlockChanged }: SafetyActionsProps) {
  const { relationship, username } = profile;
  const [asking, setAsking] = useState<'block' | 'mute'>();
  const [muteNotifications, setMuteNotifications] = useState(true);
  const { busy, error, run } = useAction();
  const close = () => setAsking(undefined);

  const block = async () => {
    await api.block(profile.id);
    await onBlockChanged();
  };
  const unblock = () =>
    run(async () => {
      await api.unblock(profile.id);
      await onBlockChanged();
    });
  const mute = async () => onRelationship((await api.mute(profile.id, { notifications: muteNotifications })).relationship);
  const unmute = () => run(async () => onRelationship((await api.unmute(profile.id)).relationship));

  return (
    <>
      <div class="row">
        {!relationship.blocking &&
          (relationship.muting ? (
            <button type="button" disabled={busy} onClick={() => void unmute()}>
              Unmute
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => setAsking('mute')}>
              Mute
            </button>
          ))}
        {relationship.blocking ? (
          <button type="button" disabled={busy} onClick={() => void unblock()}>
            Unblock
          </button>
        ) : (
          <button type="button" class="danger" disabled={busy} onClick={() => setAsking('block')}>
            Block
          </button>
        )}
        <ReportButton subject={accountReport(profile)} username={username} />
      </div>
      <Alert message={error} />
      {asking === 'block' && (
        <ConfirmDialog
          title={`Block ${username}?`}
          description={
            `${username} will not be able to follow you, reply to your posts, like or repost them, mention ` +
            'you or message you, and while logged in they will not see your profile or posts. You will not ' +
            `see their posts, replies or messages. Follows between you end. ${username} is not told, but may notice.`
          }
          confirm={`Block ${username}`}
          danger
          onConfirm={block}
          onClose={close}
        />
      )}
      {asking === 'mute' && (
        <ConfirmDialog
          title={`Mute ${username}?`}
          description={`Their posts and reposts leave your timeline; a follow stays as it is. ${username} is not told.`}
          confirm={`Mute ${username}`}
          onConfirm={mute}
          onClose={close}
        >
          <label class="check">
            <input type="checkbox" checked={muteNotifications} onChange={(e) => setMuteNotifications(e.currentTarget.checked)} /> Mute their
            notifications too
          </label>
        </ConfirmDialog>
      )}
    </>
  );
}
