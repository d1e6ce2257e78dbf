/**
 * The Lua scripts of Redis presence. Each runs atomically, so the 0→1 and 1→0 transitions of a
 * user in a room are decided once for the whole cluster, however instances interleave. Every
 * script reads the clock with Redis TIME, so all instances compare expiries against one clock.
 *
 * Keys of a room (the `{room:<id>}` hash tag keeps them in one cluster slot):
 * - `users`: ZSET userId → the latest expiry (ms) of any instance holding that user there;
 *   a user counts as present while it lies in the future.
 * - `names`: HASH userId → username, for the REST answers.
 * - `user:<userId>`: ZSET instanceId → that instance's expiry for the user, refreshed by its
 *   heartbeat; a crashed instance's entry simply runs out.
 * Each key itself expires one TTL after the last write, so a room abandoned by crashed instances
 * leaves nothing behind.
 */

const prelude = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
`;

/**
 * KEYS: users, names, user key. ARGV: instanceId, userId, username, ttlMs.
 * Returns 1 when no other live instance held the user: their first socket in the cluster.
 */
export const ARRIVE_LUA = `${prelude}
local now = nowMs()
local ttl = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local first = redis.call('ZCARD', KEYS[3]) == 0
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
extend(KEYS[3], ttl)
redis.call('ZADD', KEYS[1], 'GT', now + ttl, ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
extend(KEYS[1], ttl)
extend(KEYS[2], ttl)
if first then return 1 end
return 0
`;

/**
 * KEYS: users, names, user key. ARGV: instanceId, userId.
 * Returns 1 when this departure removed the user: their last socket in the cluster left (0 if
 * another instance still holds them, or an expiry sweep already announced them gone).
 */
export const DEPART_LUA = `${prelude}
local now = nowMs()
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[2], ARGV[2])
return redis.call('ZREM', KEYS[1], ARGV[2])
`;

/**
 * The heartbeat of one instance in one room: re-asserts the users it holds there, then sweeps
 * the users whose every holder expired. KEYS: users, names, then one user key per held user.
 * ARGV: ttlMs, instanceId, the user-key prefix, then userId and username per held user.
 * Returns the swept users as a flat list: userId, username, userId, username, …
 */
export const REFRESH_LUA = `${prelude}
local now = nowMs()
local ttl = tonumber(ARGV[1])
for i = 3, #KEYS do
  local id = ARGV[2 * i - 2]
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[2])
  extend(KEYS[i], ttl)
  redis.call('ZADD', KEYS[1], 'GT', now + ttl, id)
  redis.call('HSET', KEYS[2], id, ARGV[2 * i - 1])
end
if #KEYS > 2 then
  extend(KEYS[1], ttl)
  extend(KEYS[2], ttl)
end
local gone = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  local userKey = ARGV[3] .. id
  redis.call('ZREMRANGEBYSCORE', userKey, '-inf', now)
  if redis.call('ZCARD', userKey) == 0 then
    gone[#gone + 1] = id
    gone[#gone + 1] = redis.call('HGET', KEYS[2], id) or ''
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('DEL', userKey)
  end
end
return gone
`;

/** KEYS: users. Returns how many users are present. */
export const COUNT_LUA = `${prelude}
return redis.call('ZCOUNT', KEYS[1], '(' .. nowMs(), '+inf')
`;

/** KEYS: users, names. Returns the present users as a flat list: userId, username, … */
export const PARTICIPANTS_LUA = `${prelude}
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. nowMs(), '+inf')) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out
`;
