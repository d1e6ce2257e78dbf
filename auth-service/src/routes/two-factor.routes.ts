/** HTTP routes of the second factor: TOTP setup, enabling and disabling, recovery codes. */
import type { ApiRoutes } from '@murmur/shared/http';
import type { AuthRoutesOptions } from './auth.routes.js';

export function declareTwoFactorRoutes(_api: ApiRoutes, _options: AuthRoutesOptions): void {}
