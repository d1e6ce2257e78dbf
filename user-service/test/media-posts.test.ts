import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegisteredUser } from '@murmur/auth-service/testing';
import type { MediaAttachment } from '@murmur/shared/media';
import { makeJpeg, makePng, uploadPicture } from '../src/testing.js';
import { socialSuite, type PostAnswer } from './social-helpers.js';

describe('pictures in posts, avatars, and what deletion removes', () => {
  const t = socialSuite();

  const upload = async (user: RegisteredUser, alt = '') => {
    const res = await uploadPicture(t.s.userUrl, await makeJpeg({ width: 320, height: 240 }), { token: user.token, alt });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const postWith = (user: RegisteredUser, body: Record<string, unknown>) => t.c.call(user, 'POST', '/posts', body);
  const status = async (url: string) => (await fetch(`${t.s.userUrl}${url}`)).status;
  const filesOf = (media: MediaAttachment[]) => media.flatMap((m) => [m.url, m.previewUrl]);
  /** Runs the sweeper, then resolves the statuses of `urls`. */
  const afterSweep = async (urls: string[]) => {
    await t.s.userDeps.media.sweeper.sweep();
    return Promise.all(urls.map(status));
  };

  it('a post shows its pictures in the order given, to followers, in threads and in search', async () => {
    const [alice, bob] = await t.register(2);
    await t.c.follow(bob!, alice!);
    const first = await upload(alice!, 'a blue square');
    const second = await upload(alice!);
    const res = await postWith(alice!, { text: 'holiday pictures #sunny', mediaIds: [second.id, first.id] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const post = res.body as PostAnswer;
    assert.deepEqual(post.media, [second, first]);
    const [inTimeline] = await t.c.all('/timeline', bob);
    assert.equal(inTimeline!.id, post.id);
    assert.deepEqual(inTimeline!.media, [second, first]);
    assert.deepEqual((await t.c.get(post.id)).media, [second, first]);
    const [tagged] = await t.c.all('/tags/sunny/posts');
    assert.deepEqual(tagged?.media, [second, first]);
    const [found] = await t.c.all(`/posts/search?q=${encodeURIComponent('holiday pictures')}`);
    assert.deepEqual(found?.media, [second, first]);
    const plain = await t.c.post(alice!, 'no pictures');
    assert.deepEqual(plain.media, []);
  });

  it('a post of pictures alone needs no text; a post of nothing is refused', async () => {
    const [alice] = await t.register(1);
    const picture = await upload(alice!);
    const res = await postWith(alice!, { mediaIds: [picture.id] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.text, '');
    const empty = await postWith(alice!, { text: '  ', mediaIds: [] });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.field, 'text');
  });

  it('refuses five pictures, someone else’s, and one already attached, creating nothing', async () => {
    const [alice, mallory] = await t.register(2);
    const pictures = [];
    for (let i = 0; i < 5; i++) pictures.push(await upload(alice!));
    const five = await postWith(alice!, { text: 'too many', mediaIds: pictures.map((p) => p.id) });
    assert.equal(five.status, 400);
    assert.equal(five.body.error.field, 'mediaIds');
    const twice = await postWith(alice!, { text: 'twice', mediaIds: [pictures[0]!.id, pictures[0]!.id] });
    assert.equal(twice.status, 400);

    const stolen = await postWith(mallory!, { text: 'not mine', mediaIds: [pictures[0]!.id] });
    assert.equal(stolen.status, 404);
    assert.equal(stolen.body.error.code, 'MEDIA_NOT_FOUND');
    const unknown = await postWith(alice!, { text: 'unknown', mediaIds: [Number.MAX_SAFE_INTEGER] });
    assert.equal(unknown.status, 404);

    assert.equal((await postWith(alice!, { text: 'first', mediaIds: [pictures[1]!.id] })).status, 201);
    const again = await postWith(alice!, { text: 'second', mediaIds: [pictures[2]!.id, pictures[1]!.id] });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'MEDIA_ALREADY_ATTACHED');
    // The refused post took nothing: its other picture can still be posted.
    assert.equal((await postWith(alice!, { text: 'third', mediaIds: [pictures[2]!.id] })).status, 201);
    const posts = await t.c.all(`/users/${alice!.id}/posts`);
    assert.deepEqual(posts.map((p) => p.text), ['third', 'first']);
  });

  it('deleting a post removes its pictures and their files', async () => {
    const [alice] = await t.register(1);
    const picture = await upload(alice!);
    const post = (await postWith(alice!, { text: 'short-lived', mediaIds: [picture.id] })).body as PostAnswer;
    assert.deepEqual(await afterSweep(filesOf(post.media)), [200, 200]);
    assert.equal((await t.c.call(alice, 'DELETE', `/posts/${post.id}`)).status, 204);
    assert.deepEqual(await afterSweep(filesOf(post.media)), [404, 404]);
    const { rows } = await t.s.userDeps.database.pool.query('SELECT 1 FROM media WHERE id = $1', [picture.id]);
    assert.equal(rows.length, 0);
  });

  it('an avatar shows on the profile and beside every post; replacing it deletes the old picture', async () => {
    const [alice, bob] = await t.register(2);
    await t.c.follow(bob!, alice!);
    const first = await upload(alice!);
    const set = await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: first.id });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.avatarUrl, first.previewUrl);
    assert.equal((await t.c.call(bob, 'GET', `/users/${alice!.id}`)).body.avatarUrl, first.previewUrl);
    const post = await t.c.post(alice!, 'with a face');
    assert.equal(post.author.avatarUrl, first.previewUrl);
    const [notification] = await t.c.all<{ account: { avatarUrl: string | null } }>('/notifications', alice, 10).then(async () => {
      await t.c.follow(alice!, bob!);
      await t.c.call(alice, 'PUT', `/posts/${post.id}/like`);
      return t.c.all<{ account: { avatarUrl: string | null } }>('/notifications', bob, 10);
    });
    assert.equal(notification?.account.avatarUrl, first.previewUrl);
    const [follower] = await t.c.all<{ avatarUrl: string | null }>(`/users/${bob!.id}/followers`);
    assert.equal(follower?.avatarUrl, first.previewUrl);
    // Setting the same avatar again changes nothing.
    assert.equal((await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: first.id })).status, 200);

    const second = await upload(alice!);
    assert.equal((await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: second.id })).body.avatarUrl, second.previewUrl);
    assert.deepEqual(await afterSweep([...filesOf([first]), ...filesOf([second])]), [404, 404, 200, 200]);
    const removed = await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: null });
    assert.equal(removed.body.avatarUrl, null);
    assert.deepEqual(await afterSweep(filesOf([second])), [404, 404]);
  });

  it('refuses as avatar a picture already attached, or someone else’s', async () => {
    const [alice, bob] = await t.register(2);
    const picture = await upload(alice!);
    await postWith(alice!, { text: 'posted', mediaIds: [picture.id] });
    const attached = await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: picture.id, displayName: 'unchanged?' });
    assert.equal(attached.status, 409);
    assert.equal((await t.c.call(alice, 'GET', '/me')).body.displayName, null, 'a refused change changes nothing');
    const theirs = await upload(bob!);
    assert.equal((await t.c.call(alice, 'PATCH', '/me', { avatarMediaId: theirs.id })).status, 404);
  });

  it('deleting an account removes every picture of it, attached or not', async () => {
    const [doomed] = await t.register(1);
    const posted = await upload(doomed!);
    const avatar = await upload(doomed!);
    const loose = await upload(doomed!);
    await postWith(doomed!, { text: 'bye', mediaIds: [posted.id] });
    await t.c.call(doomed, 'PATCH', '/me', { avatarMediaId: avatar.id });
    const urls = filesOf([posted, avatar, loose]);
    assert.deepEqual(await afterSweep(urls), urls.map(() => 200));
    assert.equal((await t.c.call(doomed, 'DELETE', '/delete')).status, 204);
    assert.deepEqual(await afterSweep(urls), urls.map(() => 404));
  });

  it('a PNG keeps its transparency as PNG', async () => {
    const [alice] = await t.register(1);
    const res = await uploadPicture(t.s.userUrl, await makePng(), { token: alice!.token });
    assert.match(res.body.url, /\.png$/);
  });
});
