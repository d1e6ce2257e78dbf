/** Cutting one person's network while the others' stays up. */
import type { BrowserContext } from 'playwright-core';
import type { Stack } from './stack.js';

/**
 * Cuts the network of `context`, whose pages use the stack's cuttable origin: the browser goes
 * offline (new requests fail at once) and the proxy ends its connections, the open WebSocket
 * among them, and refuses new ones. Resolves a function that restores both.
 */
export async function cutNetwork(stack: Stack, context: BrowserContext): Promise<() => Promise<void>> {
  // The connections die first, as on a real network that goes away; the browser learns it is
  // offline after. Told first, Chromium may hold an open WebSocket's close back.
  stack.cuttable.cut();
  await context.setOffline(true);
  return async () => {
    stack.cuttable.restore();
    await context.setOffline(false);
  };
}
