-- Seeds a scope's spend in one slice of a budget's window (a calendar period is one slice) from the
-- spend ledger, once: only while the slice's marker is missing (a Redis that restarted empty, or a
-- new one). Reservations wait for the current slice's.
-- ARGV: prefix, scope id, the slice's name (its end in ms, after 'r' for a rolling budget's), the
-- micro-dollars the ledger says were spent in it, when (ms) the slice's keys may go.
-- Returns {1} when it seeded, {0} when the slice was seeded before (a list, as every script here).
local key = ARGV[1] .. ARGV[2]
local expires = tonumber(ARGV[5])
if redis.call('SET', key .. ':seeded:' .. ARGV[3], '1', 'NX', 'PXAT', expires) then
  redis.call('SET', key .. ':spent:' .. ARGV[3], ARGV[4], 'PXAT', expires)
  return {1}
end
return {0}
