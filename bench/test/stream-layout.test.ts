import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deal } from '../stream/client-pool.js';
import { activeMembers, activeRoomCount, checkLayout, openRoomOf, quietMembers, quietRoomCount, type RoomLayoutShape } from '../stream/layout.js';

/** Every room's members, active rooms first, as the setup creates them. */
function allRooms(shape: RoomLayoutShape): number[][] {
  const active = Array.from({ length: activeRoomCount(shape) }, (_, a) => {
    const { subscribers, watchers } = activeMembers(shape, a);
    return [...subscribers, ...watchers];
  });
  return [...active, ...Array.from({ length: quietRoomCount(shape) }, (_, r) => quietMembers(shape, r))];
}

describe('the stream benchmark room layout', () => {
  for (const shape of [
    { people: 500, roomSize: 10, roomsPerPerson: 10 },
    { people: 60, roomSize: 6, roomsPerPerson: 4 },
  ]) {
    it(`gives each of ${shape.people} people ${shape.roomsPerPerson} distinct rooms of ${shape.roomSize} distinct members`, () => {
      checkLayout(shape);
      const rooms = allRooms(shape);
      const roomsOf = new Map<number, Set<number>>();
      rooms.forEach((members, r) => {
        assert.equal(new Set(members).size, shape.roomSize, `room ${r}: ${members.join(',')}`);
        for (const p of members) {
          if (!roomsOf.has(p)) roomsOf.set(p, new Set());
          roomsOf.get(p)!.add(r);
        }
      });
      assert.equal(roomsOf.size, shape.people);
      for (const [p, memberOf] of roomsOf) assert.equal(memberOf.size, shape.roomsPerPerson, `person ${p}`);
    });

    it(`has half of each active room open it, and the other half watch it (${shape.people} people)`, () => {
      for (let a = 0; a < activeRoomCount(shape); a += 1) {
        const { subscribers, watchers } = activeMembers(shape, a);
        assert.equal(subscribers.length, shape.roomSize / 2);
        for (const p of subscribers) assert.equal(openRoomOf(shape, p), a);
        for (const p of watchers) assert.notEqual(openRoomOf(shape, p), a);
      }
    });
  }

  it('refuses shapes that do not divide into rooms', () => {
    assert.throws(() => checkLayout({ people: 505, roomSize: 10, roomsPerPerson: 10 }));
    assert.throws(() => checkLayout({ people: 500, roomSize: 9, roomsPerPerson: 10 }));
    assert.throws(() => checkLayout({ people: 500, roomSize: 10, roomsPerPerson: 1 }));
  });

  it('deals items out to every hand in turn', () => {
    assert.deepEqual(deal([0, 1, 2, 3, 4], 2), [
      [0, 2, 4],
      [1, 3],
    ]);
  });
});
