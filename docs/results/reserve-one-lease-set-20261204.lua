-- Reserves one request on every scope at once, or on none (its id is unique to its replica). Redis runs a script alone, so the
-- check and the reservation are one step across all the request's scopes and every replica.
-- KEYS[1]: the reservation's key. ARGV: prefix, request id, lease ms, tokens, micro-dollars,
-- scope count, then per scope: id, rpm, tpm, concurrent, budget micro-dollars (-1: none),
-- the end (ms) of the budget's current slice (a calendar budget's period is its one slice), the soft
-- threshold (micro-dollars), the slices the budget counts (the current one and those before it),
-- a slice's length (ms), how long (ms) a slice's spend is kept after it ends; last, 1 when a spend
-- ledger seeds budgets (a budget scope whose current slice was not seeded yet returns
-- {'unseeded', index}).
-- A rolling budget's slices are named 'r' and their end, a calendar period by its end alone.
-- Times are the server's, in microseconds. Returns {'ok', now, per scope: rat, tat, inflight,
-- reserved, spent} or {'refused', index, now, rat, tat, inflight, reserved, spent}.
-- Every replica's leases are in one sorted set, by expiry; a lease names its reservation, which
-- holds what it reserved on each scope. Each reservation first reclaims a few expired leases (a
-- replica that died with requests in flight), whatever their scopes.
-- Numbers as Redis takes integers: whole, and never "-0".
local function int(x)
  x = math.floor(x + 0.5)
  if x == 0 then return '0' end
  return string.format('%.0f', x)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowMs = math.floor(now / 1000)
local prefix, id = ARGV[1], ARGV[2]
local lease, tokens, micros, n = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local MINUTE = 60000000
local RECLAIMED_PER_CALL = 16
local leases = prefix .. 'leases'
local function slice(s, endMs)
  if s.slices > 1 then return 'r' .. int(endMs) end
  return int(endMs)
end
-- A reclaimed reservation stays one more lease, so that its request's late settlement still counts
-- what it spent (and, its lease gone, frees nothing twice).
for _, expired in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', nowMs, 'LIMIT', 0, RECLAIMED_PER_CALL)) do
  local res = prefix .. 'res:' .. expired
  local raw = redis.call('GET', res)
  if raw then
    for _, s in ipairs(cjson.decode(raw).scopes) do
      local key = prefix .. s.id
      if s.amount ~= 0 then redis.call('HINCRBY', key, 'reserved', int(-s.amount)) end
      if s.c ~= 0 then redis.call('HINCRBY', key, 'inflight', int(-s.c)) end
    end
    redis.call('PEXPIRE', res, int(lease))
  end
  redis.call('ZREM', leases, expired)
end
local STRIDE = 10
local seeding = ARGV[6 + n * STRIDE + 1] == '1'
local scopes = {}
for i = 1, n do
  local b = 6 + (i - 1) * STRIDE
  local s = {id = ARGV[b + 1], rpm = tonumber(ARGV[b + 2]), tpm = tonumber(ARGV[b + 3]),
    conc = tonumber(ARGV[b + 4]), budget = tonumber(ARGV[b + 5]), pend = ARGV[b + 6],
    soft = tonumber(ARGV[b + 7]), slices = tonumber(ARGV[b + 8]), slice = tonumber(ARGV[b + 9]),
    keep = tonumber(ARGV[b + 10]), key = prefix .. ARGV[b + 1]}
  local h = redis.call('HMGET', s.key, 'rat', 'tat', 'inflight', 'reserved', 'rpm_seen', 'tpm_seen')
  s.rat = tonumber(h[1]) or 0
  s.tat = tonumber(h[2]) or 0
  s.inflight = math.max(0, tonumber(h[3]) or 0)
  s.reserved = math.max(0, tonumber(h[4]) or 0)
  local rpmSeen, tpmSeen = tonumber(h[5]) or 0, tonumber(h[6]) or 0
  if rpmSeen > 0 and s.rpm > 0 and rpmSeen ~= s.rpm and s.rat > now then
    s.rat = now + math.floor((s.rat - now) * rpmSeen / s.rpm)
  end
  if tpmSeen > 0 and s.tpm > 0 and tpmSeen ~= s.tpm and s.tat > now then
    s.tat = now + math.floor((s.tat - now) * tpmSeen / s.tpm)
  end
  if seeding and s.budget >= 0
      and redis.call('EXISTS', s.key .. ':seeded:' .. slice(s, tonumber(s.pend))) == 0 then
    return {'unseeded', int(i)}
  end
  s.spent = 0
  if s.budget >= 0 then
    for j = 0, s.slices - 1 do
      local spent = redis.call('GET', s.key .. ':spent:' .. slice(s, tonumber(s.pend) - j * s.slice))
      s.spent = s.spent + tonumber(spent or '0')
    end
  end
  local refused = false
  if s.rpm > 0 and math.max(s.rat, now) + math.floor(MINUTE / s.rpm) - now > MINUTE then
    refused = true
  elseif s.tpm > 0 and math.max(s.tat, now) + math.floor(tokens * MINUTE / s.tpm) - now > MINUTE then
    refused = true
  elseif s.conc > 0 and s.inflight >= s.conc then
    refused = true
  elseif s.budget >= 0 and s.spent + s.reserved + micros > s.budget then
    refused = true
  end
  if refused then
    return {'refused', int(i), int(now), int(s.rat), int(s.tat),
      int(s.inflight), int(s.reserved), int(s.spent)}
  end
  scopes[i] = s
end
local held = {tokens = tokens, scopes = {}}
local reply = {'ok', int(now)}
for i = 1, n do
  local s = scopes[i]
  if s.rpm > 0 then s.rat = math.max(s.rat, now) + math.floor(MINUTE / s.rpm) end
  if s.tpm > 0 then s.tat = math.max(s.tat, now) + math.floor(tokens * MINUTE / s.tpm) end
  local c = 0
  if s.conc > 0 then c = 1 end
  local amount = 0
  if s.budget >= 0 then amount = micros end
  s.inflight = s.inflight + c
  s.reserved = s.reserved + amount
  redis.call('HSET', s.key, 'rat', int(s.rat), 'tat', int(s.tat),
    'inflight', int(s.inflight), 'reserved', int(s.reserved), 'rpm_seen', s.rpm,
    'tpm_seen', s.tpm)
  table.insert(held.scopes, {id = s.id, tpm = s.tpm, budget = s.budget, pend = s.pend,
    soft = s.soft, slices = s.slices, slice = s.slice, keep = s.keep, c = c, amount = amount})
  for _, v in ipairs({s.rat, s.tat, s.inflight, s.reserved, s.spent}) do
    table.insert(reply, int(v))
  end
end
-- The reservation lasts as long as its lease: settled or reclaimed, whichever comes first.
redis.call('ZADD', leases, int(nowMs + lease), id)
redis.call('SET', KEYS[1], cjson.encode(held))
return reply
