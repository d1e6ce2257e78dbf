/**
 * Pictures in chat messages: a message names the sender's uploads (`mediaIds`, from
 * user-service's `POST /media`), which are claimed for it before it is stored; every place the
 * message is shown carries them (`media`), and deleting it deletes them. A real user-service
 * takes the uploads and serves the files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import type { MediaAttachment } from '@murmur/shared/media';
import { api } from '@murmur/shared/testing';
import { makeJpeg, makePng, startUserService, uploadPicture, type UserServiceUnderTest } from '@murmur/user-service/testing';
import { connect, createRoom, FAST_SENDING_ENV, join, startStack, type Stack, type TestSocket } from './helpers.js';

describe('pictures in chat messages', () => {
  let stack: Stack;
  let users: UserServiceUnderTest;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  const open: TestSocket[] = [];

  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
    users = await startUserService();
    [alice, bob, carol] = [await registerUser(stack.auth.url, 'pa'), await registerUser(stack.auth.url, 'pb'), await registerUser(stack.auth.url, 'pc')];
  });
  after(async () => {
    await Promise.all(open.map((socket) => socket.close()));
    await users.close();
    await stack.close();
  });

  const url = () => stack.ws.url;
  const wsUrl = () => stack.ws.wsUrl;
  const query = async (text: string, values: unknown[]) => (await stack.ws.deps.database.pool.query(text, values)).rows;

  let uploads = 0;
  /** A picture uploaded by `user` (for `roomId` when given: private to it if the room is). */
  async function upload(user: RegisteredUser, options: { roomId?: number } = {}): Promise<MediaAttachment> {
    uploads += 1;
    const bytes = uploads % 2 === 0 ? await makePng() : await makeJpeg();
    const res = await uploadPicture(users.url, bytes, { token: user.token, alt: `picture ${uploads}`, ...options });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { error: _none, ...picture } = res.body;
    return picture;
  }

  async function joined(roomId: number, user: RegisteredUser): Promise<{ socket: TestSocket; history: any }> {
    const { socket, history } = await join(wsUrl(), roomId, { token: user.token });
    open.push(socket);
    return { socket, history };
  }

  /** A reconnect that resumes after seq `since`. */
  async function resumed(roomId: number, user: RegisteredUser, since: number): Promise<TestSocket> {
    const socket = await connect(wsUrl(), `/ws/joinRoom/${roomId}?since=${since}`, { token: user.token });
    open.push(socket);
    return socket;
  }

  let sent = 0;
  /** Sends a message frame with `mediaIds` (and `text`, if given); returns its clientMsgId. */
  function sendPictures(socket: TestSocket, mediaIds: number[], text?: string, clientMsgId = `pic-${(sent += 1)}`): string {
    socket.send({ type: 'message', mediaIds, clientMsgId, ...(text !== undefined ? { text } : {}) });
    return clientMsgId;
  }
  function sendText(socket: TestSocket, text: string, clientMsgId: string): string {
    socket.send({ type: 'message', text, clientMsgId });
    return clientMsgId;
  }
  /** A message event as lists show the message: without its `type`. */
  const shown = ({ type: _type, ...message }: any) => message;
  const ackOf = (socket: TestSocket, clientMsgId: string) => socket.next('message', (e) => e.clientMsgId === clientMsgId);
  const errorOf = (socket: TestSocket, clientMsgId: string) => socket.next('error', (e) => e.clientMsgId === clientMsgId);

  async function history(roomId: number, user: RegisteredUser): Promise<any[]> {
    const res = await api(url(), 'GET', `/ws/rooms/${roomId}/messages`, { token: user.token });
    assert.equal(res.status, 200);
    return res.body.items;
  }

  /** GET of a picture's file from user-service, as `user` or nobody. */
  const fetchFile = async (path: string, user?: RegisteredUser) => (await fetch(`${users.url}${path}`, { headers: user ? { authorization: `Bearer ${user.token}` } : {} })).status;

  it('a message with two pictures reaches the other member live with them in order, and shows them in history and in a resume', async () => {
    const roomId = await createRoom(url(), alice.token, 'pictures');
    const { socket: a } = await joined(roomId, alice);
    const { socket: b } = await joined(roomId, bob);
    const [first, second] = [await upload(alice), await upload(alice)];

    const ack = await ackOf(a, sendPictures(a, [second.id, first.id], 'look at these'));
    assert.deepEqual(ack.media, [second, first], 'in the order sent, as the uploads were answered');
    assert.equal(ack.text, 'look at these');
    assert.deepEqual(await b.next('message', (e) => e.seq === ack.seq), ack);

    const [stored] = await history(roomId, bob);
    assert.deepEqual(stored, shown(ack));
    const { history: onJoin } = await joined(roomId, carol);
    assert.deepEqual(onJoin.messages.at(-1), shown(ack));
    const rows = await query('SELECT id, message_id, used_as, position FROM media WHERE id = ANY($1::bigint[]) ORDER BY position', [[first.id, second.id]]);
    assert.deepEqual(
      rows.map((r: any) => [Number(r.id), Number(r.message_id), r.used_as, r.position]),
      [
        [second.id, ack.id, 'message', 0],
        [first.id, ack.id, 'message', 1],
      ],
    );

    // Bob drops; what he missed comes back with its pictures.
    await b.close();
    const third = await upload(alice);
    const missed = await ackOf(a, sendPictures(a, [third.id], 'while you were away'));
    const back = await resumed(roomId, bob, ack.seq);
    assert.deepEqual(await back.next('message'), missed);
    assert.deepEqual(missed.media, [third]);
  });

  it('stores a message of pictures alone, with empty text, on a room socket and on the stream', async () => {
    const roomId = await createRoom(url(), alice.token, 'no words');
    const { socket: a } = await joined(roomId, alice);
    const picture = await upload(alice);
    const ack = await ackOf(a, sendPictures(a, [picture.id]));
    assert.equal(ack.text, '');
    assert.deepEqual(ack.media, [picture]);
    const [row] = await query('SELECT text, media FROM messages WHERE id = $1', [ack.id]);
    assert.deepEqual(row, { text: '', media: [picture] });

    const stream = await connect(wsUrl(), '/ws/stream', { token: alice.token });
    open.push(stream);
    await stream.next('ready');
    stream.send({ type: 'subscribe', roomId });
    await stream.next('history', (e) => e.roomId === roomId);
    const another = await upload(alice);
    stream.send({ type: 'message', roomId, mediaIds: [another.id], clientMsgId: 'stream-pic' });
    const streamed = await ackOf(stream, 'stream-pic');
    assert.deepEqual([streamed.roomId, streamed.text, streamed.media], [roomId, '', [another]]);
    stream.send({ type: 'message', roomId, clientMsgId: 'stream-nothing' });
    const refused = await errorOf(stream, 'stream-nothing');
    assert.deepEqual([refused.code, refused.roomId], ['BAD_FRAME', roomId]);
  });

  it('refuses a message that says nothing, or names more than four pictures, as a bad frame', async () => {
    const roomId = await createRoom(url(), alice.token, 'refusals');
    const { socket: a } = await joined(roomId, alice);
    a.send({ type: 'message', clientMsgId: 'nothing' });
    assert.match((await errorOf(a, 'nothing')).message, /text is required unless mediaIds/);
    a.send({ type: 'message', text: '  ', mediaIds: [], clientMsgId: 'blank' });
    assert.equal((await errorOf(a, 'blank')).message, 'text must not be blank');
    const five = await errorOf(a, sendPictures(a, [1, 2, 3, 4, 5], 'too many'));
    assert.deepEqual([five.code, five.message], ['BAD_FRAME', 'mediaIds must hold at most 4 pictures']);
    const twice = await errorOf(a, sendPictures(a, [7, 7], 'twice'));
    assert.deepEqual([twice.code, twice.message], ['BAD_FRAME', 'mediaIds must not name one picture twice']);
    assert.deepEqual(await history(roomId, alice), []);
  });

  it("refuses someone else's upload (MEDIA_NOT_FOUND) and an upload already attached (MEDIA_ALREADY_ATTACHED), storing nothing", async () => {
    const roomId = await createRoom(url(), alice.token, 'not yours');
    const { socket: a } = await joined(roomId, alice);
    const bobs = await upload(bob);
    const notFound = await errorOf(a, sendPictures(a, [bobs.id], 'stolen'));
    assert.equal(notFound.code, 'MEDIA_NOT_FOUND');
    assert.deepEqual(await history(roomId, alice), []);
    assert.deepEqual(await query('SELECT used_as, message_id FROM media WHERE id = $1', [bobs.id]), [{ used_as: null, message_id: null }]);

    const mine = await upload(alice);
    const stored = await ackOf(a, sendPictures(a, [mine.id], 'once'));
    const again = await errorOf(a, sendPictures(a, [mine.id], 'twice'));
    assert.equal(again.code, 'MEDIA_ALREADY_ATTACHED');
    assert.deepEqual(
      (await history(roomId, alice)).map((m) => m.id),
      [stored.id],
    );
  });

  it('answers a resend with the same pictures with the stored copy, and one with other pictures with CLIENT_MSG_ID_REUSED', async () => {
    const roomId = await createRoom(url(), alice.token, 'resends');
    const { socket: a } = await joined(roomId, alice);
    const picture = await upload(alice);
    const first = await ackOf(a, sendPictures(a, [picture.id], 'resent', 'resend-pic'));
    const again = await ackOf(a, sendPictures(a, [picture.id], 'resent', 'resend-pic'));
    assert.deepEqual(again, first);
    const other = await upload(alice);
    const reused = await errorOf(a, sendPictures(a, [other.id], 'resent', 'resend-pic'));
    assert.equal(reused.code, 'CLIENT_MSG_ID_REUSED');
    assert.deepEqual(
      (await history(roomId, alice)).map((m) => m.id),
      [first.id],
    );
    // Past the resend window the clientMsgId names a new message, which may not take the
    // stored one's pictures.
    await query(`UPDATE messages SET created_at = now() - interval '25 hours' WHERE id = $1`, [first.id]);
    const late = await errorOf(a, sendPictures(a, [picture.id], 'resent', 'resend-pic'));
    assert.equal(late.code, 'MEDIA_ALREADY_ATTACHED');
  });

  it("keeps a client's messages in the order sent while pictures are claimed", async () => {
    const roomId = await createRoom(url(), alice.token, 'order');
    const { socket: a } = await joined(roomId, alice);
    const [p1, p2] = [await upload(alice), await upload(alice)];
    // Sent in one go: a text message must neither overtake pictures sent before it nor be overtaken.
    const order = [
      sendPictures(a, [p1.id], 'one', 'order-1'),
      sendText(a, 'two', 'order-2'),
      sendText(a, 'three', 'order-3'),
      sendPictures(a, [p2.id], 'four', 'order-4'),
      sendText(a, 'five', 'order-5'),
    ];
    const acks = await Promise.all(order.map((id) => ackOf(a, id)));
    const first = acks[0].seq;
    assert.deepEqual(
      acks.map((m) => m.seq),
      [first, first + 1, first + 2, first + 3, first + 4],
    );
  });

  it("serves a private room's picture to its members alone, and refuses it in another room (MEDIA_NOT_FOR_THIS_ROOM)", async () => {
    const created = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'secret', visibility: 'private' } });
    const secret = created.body.id as number;
    assert.equal((await api(url(), 'PUT', `/ws/rooms/${secret}/members/${bob.id}`, { token: alice.token })).status, 200);
    const picture = await upload(alice, { roomId: secret });
    assert.ok(picture.url.startsWith('/media/private/') && picture.previewUrl.startsWith('/media/private/'), picture.url);

    const elsewhere = await createRoom(url(), alice.token, 'elsewhere');
    const { socket: out } = await joined(elsewhere, alice);
    assert.equal((await errorOf(out, sendPictures(out, [picture.id], 'leak'))).code, 'MEDIA_NOT_FOR_THIS_ROOM');
    assert.deepEqual(await history(elsewhere, alice), []);

    const { socket: a } = await joined(secret, alice);
    const { socket: b } = await joined(secret, bob);
    const ack = await ackOf(a, sendPictures(a, [picture.id], 'between us'));
    assert.deepEqual((await b.next('message', (e) => e.seq === ack.seq)).media, [picture]);
    for (const path of [picture.url, picture.previewUrl]) {
      assert.equal(await fetchFile(path, bob), 200, `a member gets ${path}`);
      assert.equal(await fetchFile(path, carol), 404, `someone else does not get ${path}`);
      assert.equal(await fetchFile(path), 404, `nobody gets ${path}`);
    }
  });

  it("deleting a message deletes its pictures: the rows go, both files are queued and the sweep removes them", async () => {
    const roomId = await createRoom(url(), alice.token, 'regrets');
    const { socket: a } = await joined(roomId, alice);
    const picture = await upload(alice);
    const ack = await ackOf(a, sendPictures(a, [picture.id], 'regrettable'));
    assert.equal(await fetchFile(picture.url), 200);
    a.send({ type: 'delete', seq: ack.seq });
    await a.next('message_deleted', (e) => e.target === ack.seq);

    assert.deepEqual(await query('SELECT id FROM media WHERE id = $1', [picture.id]), []);
    const files = [picture.url, picture.previewUrl].map((path) => path.slice('/media/'.length));
    const queued = await query('SELECT visibility, file FROM media_file_deletions WHERE file = ANY($1::text[]) ORDER BY file', [files]);
    assert.deepEqual(queued, [...files].sort().map((file) => ({ visibility: 'public', file })));
    const [row] = await query('SELECT text, media FROM messages WHERE id = $1', [ack.id]);
    assert.deepEqual(row, { text: null, media: null });
    // A tombstone shows no pictures: over REST, in a join's history (from memory), and from the database.
    const tombstone = { seq: ack.seq, user: null, text: null, media: [], deleted: true };
    const pick = (m: any) => ({ seq: m.seq, user: m.user, text: m.text, media: m.media, deleted: m.deleted });
    assert.deepEqual((await history(roomId, alice)).map(pick), [tombstone]);
    assert.deepEqual((await joined(roomId, bob)).history.messages.map(pick), [tombstone]);

    await users.deps.media.sweeper.sweep();
    assert.equal(await fetchFile(picture.url), 404);
    assert.equal(await fetchFile(picture.previewUrl), 404);
  });

  it("a direct message of pictures notifies the other person away with the sender's avatar, and its room_activity carries them", async () => {
    const direct = (await api(url(), 'POST', `/ws/direct/${carol.id}`, { token: bob.token })).body.id as number;
    const avatar = await upload(bob);
    await query("UPDATE media SET used_as = 'avatar', attached_at = now() WHERE id = $1", [avatar.id]);
    await query('UPDATE users SET avatar_media_id = $1 WHERE id = $2', [avatar.id, bob.id]);
    const stream = await connect(wsUrl(), '/ws/stream', { token: carol.token });
    open.push(stream);
    await stream.next('ready');

    const { socket: b } = await joined(direct, bob);
    const picture = await upload(bob, { roomId: direct });
    const ack = await ackOf(b, sendPictures(b, [picture.id]));
    const activity = await stream.next('room_activity', (e) => e.roomId === direct);
    assert.deepEqual(activity.lastMessage, shown(ack));
    const { notification } = await stream.next('notification', (e) => e.notification.room.id === direct);
    assert.equal(notification.type, 'direct_message');
    assert.deepEqual([notification.account.id, notification.account.avatarUrl], [bob.id, avatar.previewUrl]);
    assert.deepEqual(notification.message, { seq: ack.seq, text: '' });
  });
});
