-- Settles a reservation to what the request used; a second settlement finds nothing to do.
-- KEYS[1]: the reservation's key. ARGV: prefix, request id, tokens used, micro-dollars used.
-- Returns, for each scope whose soft budget threshold this spend crossed, its id, spend, budget and
-- period end (ms).
-- Numbers as Redis takes integers: whole, and never "-0".
local function int(x)
  x = math.floor(x + 0.5)
  if x == 0 then return '0' end
  return string.format('%.0f', x)
end
local raw = redis.call('GET', KEYS[1])
if not raw then
  return {}
end
local held = cjson.decode(raw)
local prefix, id = ARGV[1], ARGV[2]
local tokens, micros = tonumber(ARGV[3]), tonumber(ARGV[4])
local crossed = {}
for _, s in ipairs(held.scopes) do
  local key = prefix .. s.id
  local member = id .. '|' .. int(s.amount) .. '|' .. s.c
  if redis.call('ZREM', key .. ':leases', member) == 1 then
    redis.call('HINCRBY', key, 'reserved', int(-s.amount))
    redis.call('HINCRBY', key, 'inflight', int(-s.c))
  end
  if s.tpm > 0 then
    redis.call('HINCRBY', key, 'tat', int(math.floor((tokens - held.tokens) * 60000000 / s.tpm)))
  end
  if s.budget >= 0 then
    local spentKey = key .. ':spent:' .. s.pend
    local spent = redis.call('INCRBY', spentKey, int(micros))
    redis.call('PEXPIREAT', spentKey, int(tonumber(s.pend) + 86400000))
    if spent >= s.soft and spent - micros < s.soft then
      for _, v in ipairs({s.id, int(spent), int(s.budget), s.pend}) do
        table.insert(crossed, v)
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return crossed
