import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { PING_TICK_MS, startHeartbeat, type HeartbeatTarget } from '../src/ws/heartbeat.js';

/** A client that counts its pings, and at which tick each came. */
function targets(count: number, pings: number[][], tick: { now: number }): Set<HeartbeatTarget> {
  return new Set(
    Array.from({ length: count }, (_, i) => {
      pings[i] = [];
      return { heartbeat: () => pings[i]!.push(tick.now) };
    }),
  );
}

describe('heartbeat', () => {
  it('pings every client once per interval, a slice per tick rather than all in one turn', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const intervalMs = 30 * PING_TICK_MS;
      const pings: number[][] = [];
      const tick = { now: 0 };
      const clients = targets(1_000, pings, tick);
      const stop = startHeartbeat(clients, intervalMs);
      for (tick.now = 1; tick.now <= 60; tick.now += 1) mock.timers.tick(PING_TICK_MS);
      stop();
      // Two rounds of 30 ticks: every client pinged twice, 30 ticks apart.
      for (const times of pings) {
        assert.equal(times.length, 2);
        assert.equal(times[1]! - times[0]!, 30);
      }
      const perTick = new Map<number, number>();
      for (const times of pings) for (const at of times) perTick.set(at, (perTick.get(at) ?? 0) + 1);
      assert.ok(Math.max(...perTick.values()) <= Math.ceil(1_000 / 30), `at most a thirtieth per tick: ${JSON.stringify([...perTick])}`);
    } finally {
      mock.timers.reset();
    }
  });

  it('skips clients that left and reaches clients that arrived', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const pings: number[][] = [];
      const tick = { now: 0 };
      const clients = targets(100, pings, tick);
      const stop = startHeartbeat(clients, 10 * PING_TICK_MS);
      const [first] = clients;
      clients.delete(first!);
      const late = { heartbeat: mock.fn() };
      for (tick.now = 1; tick.now <= 5; tick.now += 1) mock.timers.tick(PING_TICK_MS);
      clients.add(late);
      for (; tick.now <= 20; tick.now += 1) mock.timers.tick(PING_TICK_MS);
      stop();
      assert.equal(pings[0]!.length, 0, 'a client that left is never pinged');
      assert.ok(pings.slice(1).every((times) => times.length === 2));
      assert.ok(late.heartbeat.mock.callCount() >= 1, 'a client that arrived mid-round is pinged');
    } finally {
      mock.timers.reset();
    }
  });
});
