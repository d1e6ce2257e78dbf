/** How a post's text is cut into links: the mentions and tags the server found, and nothing else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashtags, mentionedNames } from '@murmur/shared/text-links';
import { normaliseTag, textParts } from '../src/components/post-links.js';

/** A post as the server would answer it: every name it mentions an account, every tag stored. */
const post = (text: string) => ({
  text,
  mentions: mentionedNames(text).map((username, i) => ({ id: i + 1, username })),
  tags: hashtags(text),
});

const links = (text: string) => textParts(post(text)).filter((part) => part.href !== undefined);

describe('the links of a post’s text', () => {
  it('links a mention to the account the post names, whatever the case', () => {
    const parts = textParts({ text: 'Thanks @Alice and @bob!', mentions: [{ id: 7, username: 'alice' }, { id: 9, username: 'bob' }], tags: [] });
    assert.deepEqual(parts, [
      { text: 'Thanks ' },
      { text: '@Alice', href: '/users/7' },
      { text: ' and ' },
      { text: '@bob', href: '/users/9' },
      { text: '!' },
    ]);
  });

  it('leaves a name that is no account as text', () => {
    assert.deepEqual(textParts({ text: 'hi @nobody', mentions: [], tags: [] }), [{ text: 'hi @nobody' }]);
  });

  it('links a tag to its page in lower case, the text as written', () => {
    assert.deepEqual(links('Low tide #Harbour'), [{ text: '#Harbour', href: '/tags/harbour' }]);
    assert.deepEqual(links('#日本語 ok'), [{ text: '#日本語', href: `/tags/${encodeURIComponent('日本語')}` }]);
  });

  it('finds what the server finds, and only that', () => {
    const texts = [
      'mail bob@alice.com or @carol@example.com, not @dave',
      'html &#38; and ##double and #2024 and word#inside and #ok_tag',
      '@al (too short) @ab_c1 #a1 (#paren) end#',
      'joined.@eve /@frank @x_y_z.',
    ];
    for (const text of texts) {
      const linked = new Set(links(text).map((part) => normaliseTag(part.text.slice(1))));
      assert.deepEqual(linked, new Set([...mentionedNames(text), ...hashtags(text)]), text);
    }
  });

  it('gives the text back whole when the parts are joined', () => {
    const text = 'a @bob_1 b #tag c @bob_1 #TAG';
    assert.equal(textParts(post(text)).map((part) => part.text).join(''), text);
  });
});
