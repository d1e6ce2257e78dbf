/** HTTP routes of the second factor: TOTP setup, enabling and disabling, recovery codes. */
import { currentUser, type ApiRoutes } from '@murmur/shared/http';
import { disableTotp, enableTotp, setUpTotp, twoFactorStatus } from '../services/two-factor.service.js';
import type { AuthRoutesOptions } from './auth.routes.js';
import { limitedAddress } from './client-address.js';
import { recoveryCodesResponse, totpDisableBody, totpEnableBody, totpSetupResponse, twoFactorStatusResponse } from './two-factor.schemas.js';

export function declareTwoFactorRoutes(api: ApiRoutes, options: AuthRoutesOptions): void {
  const { service } = options;

  api.add(
    {
      method: 'get',
      path: '/2fa',
      tag: 'two-factor',
      summary: "The account's second factor: whether it is on, and how many recovery codes are left",
      auth: 'required',
      response: { description: 'the state of two-factor login', body: twoFactorStatusResponse },
    },
    async (_input, req) => twoFactorStatus(service, currentUser(req)),
  );

  api.add(
    {
      method: 'post',
      path: '/2fa/totp/setup',
      tag: 'two-factor',
      summary: 'Start setting up an authenticator app: a new secret, not yet in force',
      description:
        'Logins are unchanged until `POST /2fa/totp/enable` gets a code made from this secret. ' +
        'Setting up again replaces a secret that was never enabled.',
      auth: 'required',
      response: { description: 'the new secret', body: totpSetupResponse },
      errors: { 409: ['TOTP_ALREADY_ENABLED'] },
    },
    async (_input, req) => setUpTotp(service, currentUser(req)),
  );

  api.add(
    {
      method: 'post',
      path: '/2fa/totp/enable',
      tag: 'two-factor',
      summary: 'Turn two-factor login on with a code of the new secret and the current password',
      description:
        'The password is checked first, and a wrong one counts like a failed login. Answers 10 single-use recovery codes, ' +
        'shown this once; earlier ones stop working. Every other session of the account ends, device cookies set before ' +
        'stop counting, and the owner is mailed.',
      auth: 'required',
      body: totpEnableBody,
      response: { description: 'two-factor login is on', body: recoveryCodesResponse },
      errors: { 400: ['INVALID_CREDENTIALS', 'TOTP_INVALID'], 409: ['TOTP_NOT_SET_UP', 'TOTP_ALREADY_ENABLED'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req) => ({
      recoveryCodes: await enableTotp(service, currentUser(req), { code: body.code, password: body.password, clientAddress: limitedAddress(req) }),
    }),
  );

  api.add(
    {
      method: 'post',
      path: '/2fa/totp/disable',
      tag: 'two-factor',
      summary: 'Turn two-factor login off, with the current password',
      description:
        'A wrong password counts like a failed login. The secret and the recovery codes are forgotten, and the owner is mailed.',
      auth: 'required',
      body: totpDisableBody,
      response: { status: 204, description: 'two-factor login is off' },
      errors: { 400: ['INVALID_CREDENTIALS'], 409: ['TOTP_NOT_ENABLED'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req) => {
      await disableTotp(service, currentUser(req), body.password, limitedAddress(req));
    },
  );
}
