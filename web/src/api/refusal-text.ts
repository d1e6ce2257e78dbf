/**
 * The words for a refusal: the server's message, except for the few the client words itself
 * because a person must understand them at once wherever they happen (a login, a chat message, a
 * follow, a reply).
 */
const OWN_WORDS: Record<string, string> = {
  ACCOUNT_SUSPENDED: 'This account is suspended.',
  BLOCKED: 'One of you has blocked the other.',
};

export function refusalText(code: string, serverMessage: string): string {
  return OWN_WORDS[code] ?? serverMessage;
}
