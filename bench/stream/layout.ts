/**
 * Who is in which room for the stream benchmark, as a chat app's rooms list looks: everyone is a
 * member of `roomsPerPerson` small rooms and has one of them open. Pure arithmetic on person
 * indexes (0 … people − 1), so the database setup, the clients and a test agree on it.
 *
 * Two kinds of room, each of `roomSize` members:
 * - active rooms, where the talking happens: half of the members have the room open (subscribed
 *   on their stream, or joined with /ws/joinRoom in the baseline) and send into it; the other half
 *   are members who have another room open, so each message is `room_activity` for them. Person p
 *   has active room ⌊p / half⌋ open and watches the one before it.
 * - quiet rooms, the rest of everyone's list: nobody has them open and nobody talks there, except
 *   the chat mentions of the notifications part (a member mentioned while not connected).
 *
 * With rooms of 10 and 10 rooms each, every message reaches 5 subscribers and 5 watchers, and a
 * person watches 9 rooms (1 active, 8 quiet) besides the one open.
 */
export interface RoomLayoutShape {
  people: number;
  /** Members of every room; even, as half of an active room have it open. */
  roomSize: number;
  /** Rooms each person is a member of: one open, one active watched, the rest quiet. */
  roomsPerPerson: number;
}

/** Throws unless the shape divides evenly into the rooms above. */
export function checkLayout(shape: RoomLayoutShape): void {
  const { people, roomSize, roomsPerPerson } = shape;
  if (roomSize < 2 || roomSize % 2 !== 0) throw new Error(`roomSize must be even and at least 2 (got ${roomSize})`);
  if (roomsPerPerson < 2) throw new Error(`roomsPerPerson must be at least 2: one open, one watched (got ${roomsPerPerson})`);
  if (people % roomSize !== 0 || people < 2 * roomSize) throw new Error(`people must be a multiple of roomSize and at least two rooms' worth (got ${people})`);
}

/** Members of an active room who have it open. */
export const subscribersPerRoom = (shape: RoomLayoutShape) => shape.roomSize / 2;

export const activeRoomCount = (shape: RoomLayoutShape) => shape.people / subscribersPerRoom(shape);

export const quietRoomCount = (shape: RoomLayoutShape) => (shape.people * (shape.roomsPerPerson - 2)) / shape.roomSize;

/** The active room person p has open. */
export const openRoomOf = (shape: RoomLayoutShape, p: number) => Math.floor(p / subscribersPerRoom(shape));

/** Active room a's members: those who have it open, then those who watch it (the next group). */
export function activeMembers(shape: RoomLayoutShape, a: number): { subscribers: number[]; watchers: number[] } {
  const half = subscribersPerRoom(shape);
  const next = (a + 1) % activeRoomCount(shape);
  return {
    subscribers: Array.from({ length: half }, (_, i) => a * half + i),
    watchers: Array.from({ length: half }, (_, i) => next * half + i),
  };
}

/**
 * Quiet room r's members: the quiet memberships, listed slot by slot (every person's first quiet
 * room, then every person's second, …), cut into rooms of `roomSize` consecutive people.
 */
export function quietMembers(shape: RoomLayoutShape, r: number): number[] {
  const first = (r * shape.roomSize) % shape.people;
  return Array.from({ length: shape.roomSize }, (_, i) => first + i);
}
