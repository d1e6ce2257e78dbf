/**
 * Compile-time only: the client's hand-written protocol types must accept what ws-service's zod
 * schemas describe, so a change to the server's events fails `tsc -b` here instead of in a browser.
 */
import type { ChatMessage as ServerChatMessage, ServerEvent as ServerServerEvent, ClientFrame as ServerClientFrame } from '@murmur/ws-service/protocol';
import type { ChatMessage, ClientFrame, ServerEvent } from '../src/protocol/events.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
const check = <T extends true>(value: T): T => value;

export const typesMatchServer = [
  check<Assignable<ServerChatMessage, ChatMessage>>(true),
  check<Assignable<ServerServerEvent, ServerEvent>>(true),
  // Every frame the client builds is one the server parses.
  check<Assignable<ClientFrame, ServerClientFrame>>(true),
] as const;
