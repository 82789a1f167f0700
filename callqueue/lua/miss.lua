-- miss: the agent did not answer or rejected: the caller goes back to its own place (head of
-- its priority), the agent back to ready, or paused after max consecutive misses.
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] call id, ARGV[5] reason
-- Returns 1, or 0 when this offer is no longer open.
local aid, cid = ARGV[3], ARGV[4]
local a, c = open_offer(aid, cid)
if not a then return 0 end
do_miss(cid, c, aid, a, ARGV[5])
return 1
