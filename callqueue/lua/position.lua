-- position: where a caller stands among the callers of its line and site (read only).
-- KEYS[1] events stream; ARGV[3] call id
-- Returns the 1-based position (1 while offered), 0 when the queue does not hold the call.
local c = hgetall(K.call(ARGV[3]))
if not c.state then return 0 end
return position(ARGV[3], c)
