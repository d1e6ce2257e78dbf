/** Settings' Security page: the email address's verification, the password, sessions, two-factor. */
import { useState } from 'preact/hooks';
import { ChangePasswordForm } from '../account/change-password-form.js';
import { EmailVerificationSection } from '../account/email-verification.js';
import { SessionsSection } from '../account/sessions-section.js';
import { TwoFactorSection } from '../account/two-factor-section.js';

export function SecurityPage() {
  // A password change, or turning two-factor login on, ends the other sessions: the list is read again.
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const otherSessionsEnded = () => setSessionsVersion((n) => n + 1);
  return (
    <>
      <h1>Security</h1>
      <EmailVerificationSection />
      <ChangePasswordForm onChanged={otherSessionsEnded} />
      <SessionsSection version={sessionsVersion} />
      <TwoFactorSection onOtherSessionsEnded={otherSessionsEnded} />
    </>
  );
}
