/** Where a request comes from, as auth-service's per-address limits count it. */
import type { Request } from 'express';
import { addressLimitKey } from '@murmur/shared/http';

/** The client's address (`req.ip`, which honours TRUST_PROXY_HOPS), an IPv6 one by its /64. */
export const limitedAddress = (req: Request): string => addressLimitKey(req.ip ?? 'unknown');
