/**
 * The token of the mailed link a page was opened from. It is taken out of the address bar as the
 * page first renders, before the app sends any request, so it stays out of the history, out of
 * bookmarks and shared screenshots; and no request carries it in a Referer (index.html sets
 * `no-referrer`, and the app loads nothing from other sites anyway).
 */
import { useState } from 'preact/hooks';
import { linkToken } from './link-token.js';

export function useLinkToken(): string | undefined {
  const [token] = useState(() => {
    const found = linkToken(location.search);
    if (location.search) history.replaceState(history.state, '', location.pathname);
    return found;
  });
  return token;
}
