/**
 * Asked once when a post or a message goes with a picture that has no description: add one (the
 * first empty field is focused), or go ahead without.
 */
import { useEffect, useId, useRef } from 'preact/hooks';
import { descriptionFieldId, type PictureDrafts } from './use-picture-drafts.js';

interface MissingDescriptionPromptProps {
  /** "Post without an image description?", or the same for a message. */
  question: string;
  drafts: PictureDrafts;
  onGoAhead: () => void;
  onDismiss: () => void;
}

export function MissingDescriptionPrompt({ question, drafts, onGoAhead, onDismiss }: MissingDescriptionPromptProps) {
  const questionId = useId();
  const whyId = useId();
  const describe = useRef<HTMLButtonElement>(null);
  useEffect(() => describe.current?.focus(), []);

  const focusFirstEmpty = () => {
    const empty = drafts.items.find((draft) => draft.alt.trim() === '');
    onDismiss();
    if (empty) document.getElementById(descriptionFieldId(empty.key))?.focus();
  };

  return (
    <div role="alertdialog" aria-labelledby={questionId} aria-describedby={whyId} class="confirm">
      <p>
        <strong id={questionId}>{question}</strong> <span id={whyId}>A description tells people who cannot see the picture what it shows.</span>
      </p>
      <div class="row">
        <button type="button" ref={describe} onClick={focusFirstEmpty}>
          Add a description
        </button>
        <button type="button" onClick={onGoAhead}>
          Continue without one
        </button>
      </div>
    </div>
  );
}
