/** Request bodies and answers of the second-factor settings, validated with zod. */
import { z } from 'zod';
import { currentPasswordField, totpCode } from './auth.schemas.js';

export const twoFactorStatusResponse = z.object({
  totpEnabled: z.boolean(),
  recoveryCodesLeft: z.number().int().min(0).describe('recovery codes not used yet; 0 while two-factor login is off'),
});

export const totpSetupResponse = z.object({
  secret: z.string().describe('the new secret, base32, for typing into the app'),
  otpauthUrl: z.string().describe('`otpauth://totp/…` (SHA-1, 6 digits, 30 s, issuer murmur), for the app to read from a QR code'),
});

export const totpEnableBody = z.strictObject({
  code: totpCode.describe('a code the app made from the new secret'),
  password: currentPasswordField.describe('the current password, checked again'),
});

export const recoveryCodesResponse = z.object({
  recoveryCodes: z.array(z.string()).describe('single-use codes that stand in for the app when it is lost; shown this once'),
});

export const totpDisableBody = z.strictObject({ password: currentPasswordField.describe('the current password, checked again') });
