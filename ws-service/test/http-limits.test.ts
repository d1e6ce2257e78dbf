import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { nextEvent, RawConnection, within } from '@murmur/shared/testing';
import { createRoom, join, startStack, type Stack } from './helpers.js';

const HEADERS_TIMEOUT_MS = 1_000;
/** Room for a loaded machine on top of a deadline; a bound on a wait, never a pause. */
const SLACK_MS = 1_500;

describe('HTTP connection limits of ws-service', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  before(async () => {
    stack = await startStack({ HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), HTTP_MAX_PENDING_CONNECTIONS: '2' });
    alice = await registerUser(stack.auth.url, 'alice');
  });
  after(() => stack.close());

  /** Opens a connection that sends nothing and waits until the server has accepted it. */
  const openSilent = async (): Promise<RawConnection> => {
    const accepted = nextEvent<unknown>((listener) => stack.ws.service.server.once('connection', listener));
    const connection = await RawConnection.open(stack.ws.url);
    await accepted;
    return connection;
  };

  it('closes a connection that sends nothing after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const silent = await openSilent();
    await within(silent.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the silent connection');
  });

  it('keeps a WebSocket open past the deadline of its first request', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const probe = await openSilent();
    await within(probe.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the probe connection');
    assert.equal(socket.ws.readyState, WebSocket.OPEN);
    const ack = await socket.say('still here');
    assert.equal(ack.text, 'still here');
    await socket.close();
  });

  it('closes the connection that has waited longest past HTTP_MAX_PENDING_CONNECTIONS', async () => {
    const startedAt = performance.now();
    const first = await openSilent();
    const second = await openSilent();
    const third = await openSilent();
    await within(first.closed, HEADERS_TIMEOUT_MS, 'closing the oldest waiting connection');
    assert.ok(performance.now() - startedAt < HEADERS_TIMEOUT_MS, 'the oldest connection was closed by its deadline, not by the cap');
    assert.deepEqual([second.isClosed, third.isClosed], [false, false]);
    second.close();
    third.close();
  });
});
