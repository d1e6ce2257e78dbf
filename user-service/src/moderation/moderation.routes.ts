/** Reports and the moderators' routes: the queue, resolutions, suspensions, roles, the audit log. */
import type { ApiRoutes } from '@murmur/shared/http';
import type { ServiceDeps } from '../deps.js';

export function declareModerationRoutes(_api: ApiRoutes, _deps: ServiceDeps): void {}
