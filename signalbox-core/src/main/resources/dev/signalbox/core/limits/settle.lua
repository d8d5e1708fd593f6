-- Settles a reservation to what the request used; a second settlement finds nothing to do.
-- KEYS[1]: the reservation's key. ARGV: prefix, request id, tokens used, micro-dollars used.
-- The spend goes to the slice the request was reserved in, and is kept as long as the budget counts
-- it. Returns, for each scope whose soft budget threshold this spend crossed (its spend over the
-- slices its budget counts), its id, spend, budget and slice end (ms).
-- Numbers as Redis takes integers: whole, and never "-0".
local function int(x)
  x = math.floor(x + 0.5)
  if x == 0 then return '0' end
  return string.format('%.0f', x)
end
local function slice(s, endMs)
  if s.slices > 1 then return 'r' .. int(endMs) end
  return int(endMs)
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
    local spentKey = key .. ':spent:' .. slice(s, tonumber(s.pend))
    local spent = redis.call('INCRBY', spentKey, int(micros))
    redis.call('PEXPIREAT', spentKey, int(tonumber(s.pend) + s.keep + 86400000))
    for j = 1, s.slices - 1 do
      local older = redis.call('GET', key .. ':spent:' .. slice(s, tonumber(s.pend) - j * s.slice))
      spent = spent + tonumber(older or '0')
    end
    if spent >= s.soft and spent - micros < s.soft then
      for _, v in ipairs({s.id, int(spent), int(s.budget), s.pend}) do
        table.insert(crossed, v)
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return crossed
