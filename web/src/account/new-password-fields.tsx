/** A new password typed twice, with the rules it must keep read out with the first field. */
import { useId } from 'preact/hooks';
import { Field } from '../components/field.js';
import { PASSWORD_RULES } from './password-rules.js';

interface NewPasswordFieldsProps {
  password: string;
  confirmation: string;
  onPassword: (value: string) => void;
  onConfirmation: (value: string) => void;
}

export function NewPasswordFields({ password, confirmation, onPassword, onConfirmation }: NewPasswordFieldsProps) {
  const rules = useId();
  return (
    <>
      <Field label="New password" type="password" value={password} onValue={onPassword} autocomplete="new-password" required aria-describedby={rules} />
      <p class="hint" id={rules}>
        {PASSWORD_RULES}
      </p>
      <Field label="Confirm password" type="password" value={confirmation} onValue={onConfirmation} autocomplete="new-password" required />
    </>
  );
}
