/**
 * user-service's live events reach a person's `/ws/stream` on whichever instance it is: each
 * notification type as it is made, timeline posts and their removal, and the notifications a
 * reconnecting stream missed (`?since=`). Run once over PostgreSQL NOTIFY (no Redis anywhere)
 * and once over Redis with two ws-service instances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, within } from '@murmur/shared/testing';
import { startUserService, type UserServiceUnderTest } from '@murmur/user-service/testing';
import { RedisBroker } from '../src/delivery/broker-redis.js';
import { connect, FAST_SENDING_ENV, startWsService, type TestSocket, type WsUnderTest } from './helpers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Resolves once `userId` is among the room's participants, as `instance` sees presence. */
async function waitForParticipant(instance: WsUnderTest, roomId: number, userId: number): Promise<void> {
  for (;;) {
    if ((await instance.service.presence.participants(roomId)).some((user) => user.id === userId)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Transport {
  name: string;
  /** The environment of user-service and of every ws-service instance. */
  env(): Record<string, string>;
  /** ws-service instances: the first is where events are made, the last where people listen. */
  instances: number;
}

/** The Redis Cluster's masters; the test runner starts one (or takes TEST_REDIS_CLUSTER_NODES). */
const clusterNodes = () => {
  const nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  if (!nodes) throw new Error('TEST_REDIS_CLUSTER_NODES is not set: run the tests with npm test, which starts a Redis Cluster');
  return nodes;
};

const transports: Transport[] = [
  { name: 'PostgreSQL NOTIFY, one instance', env: () => ({}), instances: 1 },
  {
    name: 'Redis, two instances',
    env: () => ({ REDIS_URL, REDIS_KEY_PREFIX: `murmur-test:${randomUUID()}:` }),
    instances: 2,
  },
  {
    name: 'a three-master Redis Cluster (sharded pub/sub), two instances',
    env: () => ({ REDIS_CLUSTER_NODES: clusterNodes(), REDIS_KEY_PREFIX: `murmur-test:${randomUUID()}:` }),
    instances: 2,
  },
];

for (const transport of transports) {
  describe(`live events over ${transport.name}`, () => {
    let auth: AuthUnderTest;
    let users: UserServiceUnderTest;
    let instances: WsUnderTest[] = [];

    before(async () => {
      const env = transport.env();
      auth = await startAuthService();
      users = await startUserService(env);
      for (let i = 0; i < transport.instances; i += 1) {
        const instance = await startWsService({ ...env, ...FAST_SENDING_ENV, WS_USER_SERVICE_URL: users.url });
        const { broker } = instance.service;
        if (broker instanceof RedisBroker) await within(broker.whenSubscribed(), 10_000, 'subscribing');
        instances.push(instance);
      }
    });
    after(async () => {
      await Promise.all(instances.map((instance) => instance.close()));
      instances = [];
      await users.close();
      await auth.close();
    });

    const listening = () => instances.at(-1)!;
    const call = (user: RegisteredUser, method: string, path: string, body?: unknown) => api(users.url, method, path, { token: user.token, body });

    async function stream(person: RegisteredUser, since?: number): Promise<{ socket: TestSocket; ready: any }> {
      const socket = await connect(listening().wsUrl, `/ws/stream${since === undefined ? '' : `?since=${since}`}`, { token: person.token });
      return { socket, ready: await socket.next('ready') };
    }

    async function post(author: RegisteredUser, text: string, inReplyToId?: number): Promise<any> {
      const res = await call(author, 'POST', '/posts', { text, ...(inReplyToId !== undefined ? { inReplyToId } : {}) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    }

    it('delivers each social notification type as it is made, as the REST list shows it', async () => {
      const [alice, bob] = [await registerUser(auth.url, 'na'), await registerUser(auth.url, 'nb')];
      const { socket, ready } = await stream(bob);
      assert.deepEqual([ready.unreadNotifications, ready.lastNotificationId], [0, 0]);

      assert.equal((await call(alice, 'POST', `/follow?toFollowId=${bob.id}`)).status, 200);
      const follow = (await socket.next('notification')).notification;
      assert.deepEqual([follow.type, follow.account.id, follow.read, follow.post], ['follow', alice.id, false, undefined]);

      const bobs = await post(bob, 'a post of mine');
      await post(alice, `hello @${bob.username}`);
      const mention = (await socket.next('notification', (e) => e.notification.type === 'mention')).notification;
      assert.equal(mention.post.text, `hello @${bob.username}`);
      const reply = await post(alice, 'a reply', bobs.id);
      const replied = (await socket.next('notification', (e) => e.notification.type === 'reply')).notification;
      assert.equal(replied.post.id, reply.id);
      assert.equal((await call(alice, 'PUT', `/posts/${bobs.id}/like`)).status, 200);
      const liked = (await socket.next('notification', (e) => e.notification.type === 'like')).notification;
      assert.equal(liked.post.id, bobs.id);
      assert.equal((await call(alice, 'PUT', `/posts/${bobs.id}/repost`)).status, 200);
      const reposted = (await socket.next('notification', (e) => e.notification.type === 'repost')).notification;
      assert.equal(reposted.post.id, bobs.id);

      // Each live notification is the REST list's item (its post's counts as they were when it was made).
      const listed = (await call(bob, 'GET', '/notifications')).body.items;
      const summary = (n: any) => [n.id, n.type, n.account, n.post?.id, n.read, n.createdAt];
      assert.deepEqual(listed.map(summary), [reposted, liked, replied, mention, follow].map(summary));
      assert.deepEqual(listed.at(-1), follow);
      // Unlike and like again: one notification only, so nothing more arrives.
      await call(alice, 'DELETE', `/posts/${bobs.id}/like`);
      await call(alice, 'PUT', `/posts/${bobs.id}/like`);
      await post(alice, `sync @${bob.username}`);
      await socket.next('notification', (e) => e.notification.post?.text === `sync @${bob.username}`);
      assert.equal(socket.take('notification').length, 0, 'the second like notified nobody');
      await socket.close();
    });

    it('nobody hears of their own actions', async () => {
      const alice = await registerUser(auth.url, 'self');
      const { socket } = await stream(alice);
      const own = await post(alice, `talking to @${alice.username}`);
      await call(alice, 'PUT', `/posts/${own.id}/like`);
      await post(alice, 'answering myself', own.id);
      // The timeline event of the last post comes after any notification the others would make.
      await socket.next('timeline', (e) => e.item.text === 'answering myself');
      assert.equal(socket.take('notification').length, 0);
      await socket.close();
    });

    it("puts a followed author's post, and a repost, in the reader's timeline live, and takes them out again", async () => {
      const [alice, bob, carol] = [await registerUser(auth.url, 'ta'), await registerUser(auth.url, 'tb'), await registerUser(auth.url, 'tc')];
      await call(bob, 'POST', `/follow?toFollowId=${alice.id}`);
      await call(bob, 'POST', `/follow?toFollowId=${carol.id}`);
      const [{ socket: reader }, { socket: author }] = await Promise.all([stream(bob), stream(alice)]);

      const made = await post(alice, 'fresh from alice');
      const seen = (await reader.next('timeline')).item;
      assert.deepEqual([seen.id, seen.text, seen.author.id, seen.repostedBy], [made.id, 'fresh from alice', alice.id, undefined]);
      assert.equal((await author.next('timeline')).item.id, made.id, 'the author sees their own post');

      const older = await post(bob, 'an older post of bob');
      await reader.next('timeline', (e) => e.item.id === older.id);
      assert.equal((await call(carol, 'PUT', `/posts/${older.id}/repost`)).status, 200);
      // Bob has his own post already: the repost does not enter his timeline again.
      const third = await post(alice, 'third');
      await reader.next('timeline', (e) => e.item.id === third.id);
      assert.equal(reader.take('timeline').length, 0);

      const othersPost = await post(alice, 'to be reposted');
      await reader.next('timeline', (e) => e.item.id === othersPost.id);
      await call(bob, 'POST', `/unfollow?toUnfollowId=${alice.id}`);
      // Every post of the unfollowed author leaves, in no particular order (a wait for one that never comes fails the test).
      const leaving = [made.id, third.id, othersPost.id];
      const gone = new Set<number>();
      while (!leaving.every((id) => gone.has(id))) gone.add((await reader.next('timeline_delete')).postId);
      assert.deepEqual([...gone].sort(), [...leaving].sort(), 'only the posts of the unfollowed author left');

      await call(bob, 'POST', `/follow?toFollowId=${alice.id}`);
      const deleted = await post(alice, 'soon deleted');
      await reader.next('timeline', (e) => e.item.id === deleted.id);
      assert.equal((await call(alice, 'DELETE', `/posts/${deleted.id}`)).status, 204);
      assert.equal((await reader.next('timeline_delete', (e) => e.postId === deleted.id)).postId, deleted.id);
      assert.equal((await author.next('timeline_delete', (e) => e.postId === deleted.id)).postId, deleted.id);

      const reposted = await post(carol, 'carol says');
      await reader.next('timeline', (e) => e.item.id === reposted.id);
      await call(bob, 'POST', `/unfollow?toUnfollowId=${carol.id}`);
      await reader.next('timeline_delete', (e) => e.postId === reposted.id);
      assert.equal((await call(alice, 'PUT', `/posts/${reposted.id}/repost`)).status, 200);
      const viaRepost = (await reader.next('timeline', (e) => e.item.id === reposted.id)).item;
      assert.equal(viaRepost.repostedBy.id, alice.id);
      assert.equal((await call(alice, 'DELETE', `/posts/${reposted.id}/repost`)).status, 200);
      await reader.next('timeline_delete', (e) => e.postId === reposted.id);
      await Promise.all([reader.close(), author.close()]);
    });

    it('notifies chat: an invitation to a private room, a mention by a member when not connected, a direct message when away; each as the REST list shows it', async () => {
      const [alice, bob, carol] = [await registerUser(auth.url, 'ca'), await registerUser(auth.url, 'cb'), await registerUser(auth.url, 'cc')];
      const chat = (user: RegisteredUser, method: string, path: string) => api(instances[0]!.url, method, path, { token: user.token });
      const { socket: bobStream } = await stream(bob);
      const { socket: carolStream } = await stream(carol);

      const privateRoom = (await api(instances[0]!.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'plans', visibility: 'private' } })).body.id;
      assert.equal((await chat(alice, 'PUT', `/ws/rooms/${privateRoom}/members/${bob.id}`)).status, 200);
      const invite = (await bobStream.next('notification')).notification;
      assert.deepEqual([invite.type, invite.account.id, invite.room], ['room_invite', alice.id, { id: privateRoom, name: 'plans', kind: 'private' }]);
      // Adding him again invites nobody; his stream now watches the room.
      assert.equal((await chat(alice, 'PUT', `/ws/rooms/${privateRoom}/members/${bob.id}`)).status, 200);

      // Bob is not connected to the room: a mention notifies him, and its activity reaches him too.
      const writer = await connect(instances[0]!.wsUrl, `/ws/joinRoom/${privateRoom}`, { token: alice.token });
      await writer.next('history');
      const mentioning = await writer.say(`@${bob.username} and @${carol.username}, see this`);
      const mention = (await bobStream.next('notification')).notification;
      assert.deepEqual([mention.type, mention.room.id, mention.message], ['room_mention', privateRoom, { seq: mentioning.seq, text: mentioning.text }]);
      assert.equal((await bobStream.next('room_activity')).lastSeq, mentioning.seq);

      // Connected to the room (subscribed), he is not notified; carol, no member, never is.
      bobStream.send({ type: 'subscribe', roomId: privateRoom });
      await bobStream.next('history');
      await within(waitForParticipant(instances[0]!, privateRoom, bob.id), 5_000, 'bob present in the room');
      await writer.say(`@${bob.username} you are here`);
      await bobStream.next('message', (e) => e.text === `@${bob.username} you are here`);

      // A direct message to someone away notifies them; one while they are in the room does not.
      const direct = (await chat(alice, 'POST', `/ws/direct/${carol.id}`)).body.id;
      const dm = await connect(instances[0]!.wsUrl, `/ws/joinRoom/${direct}`, { token: alice.token });
      await dm.next('history');
      const first = await dm.say('are you there?');
      const directMessage = (await carolStream.next('notification')).notification;
      assert.deepEqual([directMessage.type, directMessage.account.id, directMessage.room.kind, directMessage.message], [
        'direct_message',
        alice.id,
        'direct',
        { seq: first.seq, text: 'are you there?' },
      ]);
      const listed = (await call(carol, 'GET', '/notifications')).body.items;
      assert.deepEqual(listed, [directMessage]);
      assert.deepEqual((await call(bob, 'GET', '/notifications?types=room_invite,room_mention')).body.items, [mention, invite]);

      const carolIn = await connect(instances.at(-1)!.wsUrl, `/ws/joinRoom/${direct}`, { token: carol.token });
      await carolIn.next('history');
      await within(waitForParticipant(instances[0]!, direct, carol.id), 5_000, 'carol present in the direct room');
      await dm.say('now you are');
      await carolIn.next('message', (e) => e.text === 'now you are');
      await writer.say(`@${bob.username} sync`);
      await bobStream.next('message', (e) => e.text === `@${bob.username} sync`);
      assert.deepEqual(
        [...bobStream.take('notification'), ...carolStream.take('notification')],
        [],
        'nobody connected to the room was notified',
      );
      await Promise.all([bobStream.close(), carolStream.close(), writer.close(), dm.close(), carolIn.close()]);
    });

    it("a room's messages reach a stream subscribed on another instance in seq order, and a resume there gets exactly the rest", async () => {
      const [alice, bob] = [await registerUser(auth.url, 'oa'), await registerUser(auth.url, 'ob')];
      const roomId = (await api(instances[0]!.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'r' } })).body.id as number;
      const writer = await connect(instances[0]!.wsUrl, `/ws/joinRoom/${roomId}`, { token: alice.token });
      await writer.next('history');
      const { socket } = await stream(bob);
      socket.send({ type: 'subscribe', roomId });
      await socket.next('history', (e) => e.roomId === roomId);
      for (let i = 1; i <= 20; i += 1) writer.send({ type: 'message', text: `m${i}` });
      const seen = [];
      for (let i = 1; i <= 20; i += 1) seen.push((await socket.next('message', (e) => e.roomId === roomId)).seq);
      assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
      socket.send({ type: 'unsubscribe', roomId });
      for (let i = 21; i <= 25; i += 1) await writer.say(`m${i}`);
      socket.send({ type: 'subscribe', roomId, since: 20 });
      const resumed = [];
      for (let i = 21; i <= 25; i += 1) resumed.push((await socket.next('message', (e) => e.roomId === roomId)).seq);
      assert.deepEqual(resumed, [21, 22, 23, 24, 25]);
      await Promise.all([socket.close(), writer.close()]);
    });

    it('room_activity reaches a member whose stream is on another instance than the room\'s writer', async () => {
      const [alice, bob] = [await registerUser(auth.url, 'ra'), await registerUser(auth.url, 'rb')];
      const created = await api(instances[0]!.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'r', visibility: 'private' } });
      const roomId = created.body.id as number;
      assert.equal((await api(instances[0]!.url, 'PUT', `/ws/rooms/${roomId}/members/${bob.id}`, { token: alice.token })).status, 200);
      const { socket } = await stream(bob);
      const writer = await connect(instances[0]!.wsUrl, `/ws/joinRoom/${roomId}`, { token: alice.token });
      await writer.next('history');
      const sent = await writer.say('over there');
      const activity = await socket.next('room_activity');
      assert.deepEqual([activity.roomId, activity.lastSeq, activity.unread, activity.lastMessage.text], [roomId, sent.seq, 1, 'over there']);
      await Promise.all([socket.close(), writer.close()]);
    });

    it('a stream reconnecting with since gets exactly the notifications it missed, oldest first, after ready, then the live ones', async () => {
      const [alice, bob] = [await registerUser(auth.url, 'sa'), await registerUser(auth.url, 'sb')];
      const { socket: first } = await stream(bob);
      await call(alice, 'POST', `/follow?toFollowId=${bob.id}`);
      const seen = (await first.next('notification')).notification;
      await first.close();

      const bobs = await post(bob, 'like me');
      await call(alice, 'PUT', `/posts/${bobs.id}/like`);
      const mention = await post(alice, `@${bob.username} while you were away`);
      const { socket, ready } = await stream(bob, seen.id);
      assert.equal(ready.unreadNotifications, 3);
      const missed = [await socket.next('notification'), await socket.next('notification')].map((e) => e.notification);
      assert.deepEqual(
        missed.map((n) => [n.type, n.post.id]),
        [
          ['like', bobs.id],
          ['mention', mention.id],
        ],
      );
      assert.equal(ready.lastNotificationId, missed[1].id);
      await post(alice, `@${bob.username} live again`);
      const live = (await socket.next('notification')).notification;
      assert.ok(live.id > missed[1].id);
      assert.equal(socket.take('notification').length, 0, 'nothing twice');

      // Marking them read through REST lowers the count the next stream starts with.
      await call(bob, 'POST', '/notifications/read', { upToId: live.id });
      await socket.close();
      const { socket: again, ready: fresh } = await stream(bob);
      assert.deepEqual([fresh.unreadNotifications, fresh.lastNotificationId], [0, live.id]);
      await again.close();
    });
  });
}
