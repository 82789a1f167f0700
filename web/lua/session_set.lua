-- session_set: change one field of a session that still exists (never revive an ended one).
-- KEYS[1] the session hash
-- ARGV[1] the field
-- ARGV[2] its new value
-- Returns 1 when the session exists and was changed, else 0.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
