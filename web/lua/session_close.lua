-- session_close: end sessions and take them out of their user's set of sessions.
-- KEYS[1]   the user's set of session ids
-- KEYS[i+1] the hash of session ARGV[i]
-- ARGV[i]   a session id
-- Returns how many session hashes existed and were deleted.
local ended = 0
for i = 2, #KEYS do
  ended = ended + redis.call('DEL', KEYS[i])
  redis.call('SREM', KEYS[1], ARGV[i - 1])
end
return ended
