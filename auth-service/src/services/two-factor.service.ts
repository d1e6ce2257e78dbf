/**
 * The second factor: setting up, enabling and disabling TOTP, the recovery codes, and checking
 * the code a login brings. Each TOTP time step is accepted once, and each recovery code used once.
 */
import type { AuthUser } from '@murmur/shared/auth';
import { badRequest, conflict, unauthorized } from '@murmur/shared/errors';
import { hashRecoveryCode, newRecoveryCodes } from '../recovery-codes.js';
import { newTotpSecret, otpauthUrl, stepOfCode } from '../totp.js';
import { countUnusedRecoveryCodes, deleteRecoveryCodes, replaceRecoveryCodes, useRecoveryCode } from '../repos/recovery-codes.repo.js';
import { revokeSessions } from '../repos/sessions.repo.js';
import { acceptTotpStep, clearTotp, findTotpState, markTotpEnabled, setPendingTotpSecret } from '../repos/users.repo.js';
import { totpCodeReusedMail, totpDisabledMail, totpEnabledMail } from './account-mails.js';
import type { AuthServiceDeps } from './auth.service.js';
import { confirmPassword } from './password-check.js';
import { assertSessionStillActive } from './sessions.service.js';

export const TOTP_REQUIRED = 'TOTP_REQUIRED';
export const TOTP_INVALID = 'TOTP_INVALID';

const totpAlreadyEnabled = () => conflict('TOTP_ALREADY_ENABLED', 'two-factor login is on already; turn it off first');
const totpNotSetUp = () => conflict('TOTP_NOT_SET_UP', 'set up two-factor login first (POST /2fa/totp/setup)');
const totpNotEnabled = () => conflict('TOTP_NOT_ENABLED', 'two-factor login is not on');

export interface TwoFactorStatus {
  totpEnabled: boolean;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(deps: AuthServiceDeps, user: AuthUser): Promise<TwoFactorStatus> {
  const state = await findTotpState(deps.db, user.id);
  const totpEnabled = state?.totpEnabled ?? false;
  return { totpEnabled, recoveryCodesLeft: totpEnabled ? await countUnusedRecoveryCodes(deps.db, user.id) : 0 };
}

/**
 * A new secret for the authenticator app. Nothing changes for logins until a code made from it
 * enables it, so a setup left unfinished (or started again) is harmless.
 */
export async function setUpTotp(deps: AuthServiceDeps, user: AuthUser): Promise<{ secret: string; otpauthUrl: string }> {
  const secret = newTotpSecret();
  if (!(await setPendingTotpSecret(deps.db, user.id, secret))) throw totpAlreadyEnabled();
  return { secret, otpauthUrl: otpauthUrl(secret, user.username) };
}

/** What turning two-factor login on takes: a code of the new secret, and the password again. */
export interface TotpEnabling {
  code: string;
  password: string;
  /** As the per-address limits count it. */
  clientAddress: string;
}

/**
 * Turns two-factor login on once `code` shows the app holds the new secret, and answers the new
 * recovery codes, which exist nowhere else. It takes the password again (counted like a login):
 * a stolen session alone must not be able to put a factor only its thief has on the account,
 * which would lock the owner out for good (a reset leaves the factor on). Every other session
 * ends: a session someone began with a stolen password alone must not outlive the factor that
 * now keeps them out.
 */
export async function enableTotp(deps: AuthServiceDeps, user: AuthUser, enabling: TotpEnabling): Promise<string[]> {
  const state = await findTotpState(deps.db, user.id);
  if (state?.totpEnabled) throw totpAlreadyEnabled();
  if (!state?.totpSecret) throw totpNotSetUp();
  const { totpSecret: secret, email } = state;
  await confirmPassword(deps, { user, password: enabling.password, clientAddress: enabling.clientAddress });
  const step = stepOfCode(secret, enabling.code, deps.now());
  if (step === undefined) throw badRequest(TOTP_INVALID, 'the code does not match; check the time on the device that made it');

  const recoveryCodes = newRecoveryCodes();
  await deps.db.transaction(async (tx) => {
    // Lost a race with another enable, or with a setup that replaced the secret.
    if (!(await markTotpEnabled(tx, user.id, secret, step))) throw await totpAlreadyEnabledOrReplaced(deps, user);
    await assertSessionStillActive(tx, user);
    await replaceRecoveryCodes(tx, user.id, recoveryCodes.map(hashRecoveryCode));
    await revokeSessions(tx, user.id, { except: user.sessionId });
    await deps.mail.queue(tx, totpEnabledMail(email));
  });
  return recoveryCodes;
}

async function totpAlreadyEnabledOrReplaced(deps: AuthServiceDeps, user: AuthUser): Promise<Error> {
  const now = await findTotpState(deps.db, user.id);
  return now?.totpEnabled ? totpAlreadyEnabled() : badRequest(TOTP_INVALID, 'a newer setup replaced the secret this code was made from');
}

/**
 * Turns two-factor login off, which takes the password again (counted like a login), and
 * forgets the secret and the recovery codes.
 */
export async function disableTotp(deps: AuthServiceDeps, user: AuthUser, password: string, clientAddress: string): Promise<void> {
  const state = await findTotpState(deps.db, user.id);
  if (!state?.totpEnabled) throw totpNotEnabled();
  const { email } = state;
  await confirmPassword(deps, { user, password, clientAddress });
  await deps.db.transaction(async (tx) => {
    if (!(await clearTotp(tx, user.id))) throw totpNotEnabled();
    await assertSessionStillActive(tx, user);
    await deleteRecoveryCodes(tx, user.id);
    await deps.mail.queue(tx, totpDisabledMail(email));
  });
}

/** What a login may bring besides the password. */
export interface SecondFactorProof {
  totp?: string;
  recoveryCode?: string;
}

/** An account with two-factor login on. */
export interface TotpAccount {
  id: number;
  email: string;
  totpSecret: string;
}

/**
 * Passes when `proof` holds a TOTP code or recovery code the account accepts now, using it up;
 * 401 `TOTP_REQUIRED` when it holds neither, 401 `TOTP_INVALID` for a wrong or used one.
 */
export async function checkSecondFactor(deps: AuthServiceDeps, account: TotpAccount, proof: SecondFactorProof): Promise<void> {
  const invalid = () => unauthorized(TOTP_INVALID, 'the code is wrong or was used already');
  if (proof.recoveryCode !== undefined) {
    if (!(await useRecoveryCode(deps.db, account.id, hashRecoveryCode(proof.recoveryCode)))) throw invalid();
    return;
  }
  if (proof.totp === undefined) throw unauthorized(TOTP_REQUIRED, 'send the code of the authenticator app (totp) or a recovery code');
  const step = stepOfCode(account.totpSecret, proof.totp, deps.now());
  if (step === undefined) throw invalid();
  if (!(await acceptTotpStep(deps.db, account.id, step))) {
    // A code used already (or older than one used), presented within its validity: whoever sent
    // it has the password and saw the code.
    deps.logger.warn({ userId: account.id, step }, 'a TOTP code already used was presented again');
    await deps.mail.queue(deps.db, totpCodeReusedMail(account.email));
    throw invalid();
  }
}
