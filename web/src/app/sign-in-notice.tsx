/**
 * What a person is told as they log in, above every page until they dismiss it: failed login
 * attempts since their last login, which may be someone guessing their password.
 */
export function SignInNotice({ text, onDismiss }: { text: string; onDismiss: () => void }) {
  return (
    <div class="notice sign-in-notice" role="alert">
      <p>
        {text} <a href="/settings/security">Review your security settings</a>
      </p>
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
