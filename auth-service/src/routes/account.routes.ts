/** HTTP routes of the account's lifecycle: password change and reset, sessions, email verification. */
import type { ApiRoutes } from '@murmur/shared/http';
import type { AuthRoutesOptions } from './auth.routes.js';

export function declareAccountRoutes(_api: ApiRoutes, _options: AuthRoutesOptions): void {}
