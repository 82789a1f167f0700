-- session_open: store a new session and add it to its user's set of sessions.
-- KEYS[1] the session hash
-- KEYS[2] the user's set of session ids
-- ARGV[1] the session's time to live in seconds
-- ARGV[2] the session id
-- ARGV[3..] the session's fields: field, value, field, value, ...
-- Returns 1. The set lives as long as the user's newest session.
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[1]) then
  redis.call('EXPIRE', KEYS[2], ARGV[1])
end
return 1
