-- rate_reserve: count one attempt on every counter, or on none when any is used up.
-- KEYS[i]      counter i (a string holding a count)
-- ARGV[2i-1]   counter i's limit
-- ARGV[2i]     counter i's window in seconds, set when the counter has no expiry yet
-- Returns 0 when the attempt was counted, else the seconds until the fullest counter expires.
-- Checking and counting in one step means concurrent attempts cannot all pass one check.
local function ensure_expiry(key, window)
  local ttl = redis.call('TTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, window)
    return window
  end
  return ttl
end

local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local ttl = ensure_expiry(key, tonumber(ARGV[2 * i]))
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  ensure_expiry(key, tonumber(ARGV[2 * i]))
end
return 0
