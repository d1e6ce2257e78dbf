/** A labelled input: the label names it, so tests and screen readers find it by that name. */
import type { InputHTMLAttributes } from 'preact';

type InputProps = InputHTMLAttributes<HTMLInputElement> & { label: string; value: string; onValue: (value: string) => void };

export function Field({ label, value, onValue, ...input }: InputProps) {
  return (
    <label class="field">
      <span>{label}</span>
      <input {...input} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}

/** An error message, announced when it appears. */
export function Alert({ message }: { message: string | undefined }) {
  return message ? (
    <p role="alert" class="alert">
      {message}
    </p>
  ) : null;
}
