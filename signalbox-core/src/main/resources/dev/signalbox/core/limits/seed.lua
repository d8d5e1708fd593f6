-- Seeds a scope's spend in a budget period from the spend ledger, once: only while the period's
-- marker is missing (a Redis that restarted empty, or a new one). Reservations wait for it.
-- ARGV: prefix, scope id, the period's end (ms), the micro-dollars the ledger says were spent.
-- Returns {1} when it seeded, {0} when the period was seeded before (a list, as every script here).
local key = ARGV[1] .. ARGV[2]
local expires = tonumber(ARGV[3]) + 86400000
if redis.call('SET', key .. ':seeded:' .. ARGV[3], '1', 'NX', 'PXAT', expires) then
  redis.call('SET', key .. ':spent:' .. ARGV[3], ARGV[4], 'PXAT', expires)
  return {1}
end
return {0}
