-- refresh_lease: the call handler is alive; push the waiting caller's lease deadline out.
-- KEYS[1] events stream; ARGV[3] call id
-- Returns 1 while the queue holds the call (waiting or offered), else 0.
local cid = ARGV[3]
local c = hgetall(K.call(cid))
if c.state == 'waiting' and c.kind == 'call' then
  redis.call('ZADD', K.leases(), 'XX', fmt(NOW + C.lease), cid)
  return 1
end
if c.state == 'offered' and c.kind == 'call' then return 1 end
return 0
