/**
 * docs/protocol.md lists exactly the frames, events and close codes of the modules the server runs
 * on (ws-service/src/protocol.ts and ws-service/src/ws/close-codes.ts): none missing, none extra.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOSE_CODES } from '@murmur/ws-service/close-codes';
import { clientFrame, serverEventSchema, streamFrame } from '@murmur/ws-service/protocol';
import { readDoc, tableAfter } from './markdown.js';

const PROTOCOL_DOC = 'docs/protocol.md';

/** The `type` literals of a discriminated union of frames or events. */
function types(union: { options: readonly { shape: { type: { value: unknown } } }[] }): string[] {
  return union.options.map((option) => String(option.shape.type.value)).sort();
}

/** The backticked names in the first column of the table under `heading`. */
function firstColumn(heading: string): string[] {
  return tableAfter(readDoc(PROTOCOL_DOC), heading)
    .flatMap((row) => [...row[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
    .sort();
}

test('docs/protocol.md lists every frame type a client may send, and no other', () => {
  assert.deepEqual(firstColumn('## Frames the client sends'), types(clientFrame));
});

test('docs/protocol.md lists every frame type of the stream, and no other', () => {
  assert.deepEqual(firstColumn('## Stream frames'), types(streamFrame));
});

test('docs/protocol.md lists every event type the server sends, and no other', () => {
  assert.deepEqual(firstColumn('## Events the server sends'), types(serverEventSchema));
});

test('docs/protocol.md lists every close code with its name, and no other', () => {
  const documented = tableAfter(readDoc(PROTOCOL_DOC), '## Close codes').map((row) => `${row[0]} ${row[1]}`);
  const defined = Object.entries(CLOSE_CODES).map(([name, { code }]) => `\`${code}\` \`${name}\``);
  assert.deepEqual(documented.sort(), defined.sort());
});
