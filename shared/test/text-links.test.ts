import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashtags, isTag, mentionedNames } from '../src/text-links.js';

describe('what a post text names', () => {
  it('finds each @username once, lower-cased, in the order the text first names it', () => {
    assert.deepEqual(mentionedNames('@Alice, @bob! and again @ALICE.'), ['alice', 'bob']);
    assert.deepEqual(mentionedNames('(@carol) @dave\'s "@erin" @frank:'), ['carol', 'dave', 'erin', 'frank']);
    assert.deepEqual(mentionedNames('@first_line\n@second_line'), ['first_line', 'second_line']);
  });

  it('takes no address, no remote account and no name a username cannot be', () => {
    assert.deepEqual(mentionedNames('mail bob@alice.com or me@example.org'), []);
    assert.deepEqual(mentionedNames('@name@example.com is on another server'), []);
    assert.deepEqual(mentionedNames('x@dave and @ab and @' + 'a'.repeat(31)), []);
    assert.deepEqual(mentionedNames('@@double @-dash @'), []);
    assert.deepEqual(mentionedNames('café@léa'), []);
  });

  it('finds each #tag once, normalised to NFKC lower case', () => {
    assert.deepEqual(hashtags('#Murmur and #murmur and #MURMUR'), ['murmur']);
    assert.deepEqual(hashtags('#ｍｕｒｍｕｒ is full-width'), ['murmur']);
    assert.deepEqual(hashtags('#Café, #日本語! #snake_case. #2024年'), ['café', '日本語', 'snake_case', '2024年']);
    assert.deepEqual(hashtags('#नमस्ते'), ['नमस्ते']);
    assert.deepEqual(hashtags('(#inside) "#quoted"'), ['inside', 'quoted']);
  });

  it('takes no tag of digits alone, none inside a word or an entity, and no bare #', () => {
    assert.deepEqual(hashtags('#1 #2024 #٣٤'), []);
    assert.deepEqual(hashtags('a#b issue#12 &#38; ##double # alone #'), []);
    assert.deepEqual(hashtags('#-dash #.dot'), []);
  });

  it('tells a tag from what cannot be one, as a path gives it', () => {
    assert.equal(isTag('Murmur'), true);
    assert.equal(isTag('ｍｕｒｍｕｒ'), true);
    assert.equal(isTag('2024'), false);
    assert.equal(isTag('two words'), false);
    assert.equal(isTag('a'.repeat(101)), false);
  });
});
