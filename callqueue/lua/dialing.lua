-- dialing: the handler of a resumable call took its offer and hands it to Dial(). From now on
-- the dial's result (miss, accept, abandon) settles the offer, not the lease.
-- KEYS[1] events stream; ARGV[3] call id, ARGV[4] agent id
-- Returns 1, or 0 when this offer is no longer open (taken back: keep waiting).
local cid, aid = ARGV[3], ARGV[4]
local a, c = open_offer(aid, cid)
if not a then return 0 end
redis.call('ZREM', K.leases(), cid)
redis.call('HSET', K.call(cid), 'dialing', '1')
return 1
