import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { notifyAuthEvent } from '@murmur/shared/auth';
import { api } from '@murmur/shared/testing';
import { sql } from 'drizzle-orm';
import { MemoryBroker } from '../src/delivery/broker-memory.js';
import { isPersonMessage, type BrokerMessage } from '../src/delivery/broker.js';
import { MessageWriter } from '../src/store/message-writer.js';
import { connect, createRoom, join, startStack, startWsService, type Stack, type TestSocket, FAST_SENDING_ENV } from './helpers.js';

/** Short, so a test that waits for a gap to be read from the database waits little. */
const GAP_WAIT_MS = 50;
const fastEnv = { ...FAST_SENDING_ENV, WS_GAP_WAIT_MS: String(GAP_WAIT_MS) };

/**
 * The in-memory broker between two instances, with a switch that loses the next stored message
 * one instance publishes: what a Redis outage does to a publish.
 */
class LossyBroker extends MemoryBroker {
  private losing = 0;
  private readonly subscribedHandlers = new Set<() => void>();

  loseNext(count = 1): void {
    this.losing = count;
  }

  override publish(message: BrokerMessage): void {
    if (this.losing > 0 && !isPersonMessage(message) && message.event.seq !== undefined) {
      this.losing -= 1;
      return;
    }
    super.publish(message);
  }

  override onSubscribed(handler: () => void): () => void {
    this.subscribedHandlers.add(handler);
    return () => this.subscribedHandlers.delete(handler);
  }

  /** What a broker does when its connection comes back after an outage. */
  resubscribed(): void {
    for (const handler of this.subscribedHandlers) handler();
  }
}

/** The next `count` message events of a socket, in arrival order. */
async function messages(socket: TestSocket, count: number): Promise<any[]> {
  const got: any[] = [];
  while (got.length < count) got.push(await socket.next('message'));
  return got;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('room sequence', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  before(async () => {
    stack = await startStack(fastEnv);
    [alice, bob] = await Promise.all([registerUser(stack.auth.url, 'alice'), registerUser(stack.auth.url, 'bob')]);
  });

  after(() => stack.close());

  it('group commit across rooms: messages of many rooms stored together keep each room contiguous and in arrival order', async () => {
    const writer = new MessageWriter(stack.ws.deps.database.db, { maxBatch: 500, lingerMs: 0, maxWaiting: 10_000 });
    const roomIds = await Promise.all(range(1, 10).map((i) => createRoom(stack.ws.url, alice.token, `batch ${i}`)));
    // All submitted in one turn: the first goes alone, the other 199 share the next INSERT.
    const submitted = range(0, 199).map((i) => ({ roomId: roomIds[i % 10]!, userId: alice.id, text: `m${i}`, clientMsgId: null }));
    const stored = await Promise.all(submitted.map((message) => writer.store(message)));
    for (const roomId of roomIds) {
      const seqs = stored.filter((_, i) => submitted[i]!.roomId === roomId).map((s) => s.seq);
      assert.deepEqual(seqs, range(1, 20));
    }
    const { rows } = await stack.ws.deps.database.pool.query<{ id: number; last_seq: number }>('SELECT id, last_seq FROM rooms WHERE id = ANY($1)', [roomIds]);
    assert.deepEqual(
      rows.map((r) => r.last_seq),
      roomIds.map(() => 20),
    );
  });

  it('concurrent senders in many rooms: every observer sees its room as 1..N, each sender in the order it sent', async () => {
    const roomIds = await Promise.all(range(1, 8).map((i) => createRoom(stack.ws.url, alice.token, `busy ${i}`)));
    const rooms = await Promise.all(
      roomIds.map(async (roomId) => ({
        roomId,
        observer: (await join(stack.ws.wsUrl, roomId, { token: bob.token })).socket,
        senders: await Promise.all([alice, bob].map(async (user) => (await join(stack.ws.wsUrl, roomId, { token: user.token })).socket)),
      })),
    );
    const PER_SENDER = 20;
    for (let i = 0; i < PER_SENDER; i += 1) {
      for (const room of rooms) room.senders.forEach((socket, s) => socket.send({ type: 'message', text: `${s}:${i}` }));
    }
    for (const room of rooms) {
      const got = await messages(room.observer, 2 * PER_SENDER);
      assert.deepEqual(
        got.map((m) => m.seq),
        range(1, 2 * PER_SENDER),
      );
      for (const s of [0, 1]) {
        assert.deepEqual(
          got.filter((m) => m.text.startsWith(`${s}:`)).map((m) => m.text),
          range(0, PER_SENDER - 1).map((i) => `${s}:${i}`),
        );
      }
    }
    await Promise.all(rooms.flatMap((room) => [room.observer, ...room.senders].map((socket) => socket.close())));
  });

  it("an account deletion leaves its messages as tombstones that keep their seq, in history, resume and REST", async () => {
    const doomed = await registerUser(stack.auth.url, 'doomed');
    const roomId = await createRoom(stack.ws.url, bob.token);
    const { socket: watcher } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: author } = await join(stack.ws.wsUrl, roomId, { token: doomed.token });
    await author.say('one');
    await author.say('two');
    await watcher.say('still here');
    // A join now makes the room's history event; the joins after the deletion must not reuse it.
    const { socket: early, history: before } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    assert.deepEqual(before.messages.map((m: any) => m.text), ['one', 'two', 'still here']);
    await early.close();
    // What user-service does: delete the account and announce it in one transaction.
    await stack.ws.deps.database.db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM users WHERE id = ${doomed.id}`);
      await tx.execute(notifyAuthEvent({ type: 'user_deleted', userId: doomed.id }));
    });
    await author.closed;

    const expected = (seq: number) => ({ seq, deleted: true, user: null, text: null });
    const shape = (m: any) => (m.deleted ? { seq: m.seq, deleted: m.deleted, user: m.user, text: m.text } : { seq: m.seq, text: m.text });
    const want = [expected(1), expected(2), { seq: 3, text: 'still here' }];

    // Served from memory: the watcher kept the room's log alive.
    const { socket: late, history } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    assert.deepEqual(history.messages.map(shape), want);
    const resumed = await connect(stack.ws.wsUrl, `/ws/joinRoom/${roomId}?since=0`, { token: bob.token });
    assert.deepEqual((await messages(resumed, 3)).map(shape), want);
    const page = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: bob.token });
    assert.deepEqual(page.body.items.map(shape), [...want].reverse());
    await Promise.all([watcher.close(), late.close(), resumed.close()]);

    // And from the database, once no one holds the room in memory.
    const { history: fresh, socket } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    assert.deepEqual(fresh.messages.map(shape), want);
    await socket.close();
  });

  describe('between two instances', () => {
    const broker = new LossyBroker();
    let first: Awaited<ReturnType<typeof startWsService>>;
    let second: Awaited<ReturnType<typeof startWsService>>;

    before(async () => {
      first = await startWsService(fastEnv, { broker });
      second = await startWsService(fastEnv, { broker });
    });

    after(async () => {
      await first.close();
      await second.close();
    });

    it('a message whose predecessor was lost by the broker is held, and the lost one is read from the database', async () => {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: sender } = await join(first.wsUrl, roomId, { token: alice.token });
      const { socket: observer } = await join(second.wsUrl, roomId, { token: bob.token });
      const acks = [await sender.say('first')];
      broker.loseNext();
      acks.push(await sender.say('lost on the way'));
      acks.push(await sender.say('third'));
      assert.deepEqual(await messages(observer, 3), acks);
      assert.deepEqual(
        acks.map((m) => m.seq),
        [1, 2, 3],
      );
      await Promise.all([sender.close(), observer.close()]);
    });

    it('when the broker comes back, each instance reads what its rooms missed, even in a room that went quiet', async () => {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: sender } = await join(first.wsUrl, roomId, { token: alice.token });
      const { socket: observer } = await join(second.wsUrl, roomId, { token: bob.token });
      broker.loseNext(2);
      const acks = [await sender.say('lost one'), await sender.say('lost two')];
      broker.resubscribed();
      assert.deepEqual(await messages(observer, 2), acks);
      await Promise.all([sender.close(), observer.close()]);
    });

    it('a client that resumes on the other instance from the last seq it holds gets exactly the rest', async () => {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: sender } = await join(first.wsUrl, roomId, { token: alice.token });
      const { socket: reader } = await join(first.wsUrl, roomId, { token: bob.token });
      const acks = [];
      for (let i = 1; i <= 5; i += 1) acks.push(await sender.say(`m${i}`));
      const held = await messages(reader, 3);
      await reader.close();
      for (let i = 6; i <= 8; i += 1) acks.push(await sender.say(`m${i}`));
      const resumed = await connect(second.wsUrl, `/ws/joinRoom/${roomId}?since=${held.at(-1).seq}`, { token: bob.token });
      acks.push(await sender.say('m9'));
      assert.deepEqual([...held, ...(await messages(resumed, 6))], acks);
      await Promise.all([sender.close(), resumed.close()]);
    });
  });
});
