-- refresh_lease: the call handler is alive; push the waiting caller's lease deadline out.
-- An orphaned call (its lease had lapsed, e.g. while Redis was unreachable) is back in its
-- place: the handler refreshing it is alive after all.
-- KEYS[1] events stream; ARGV[3] call id
-- Returns 1 while the queue holds the call (waiting or offered), else 0.
local cid = ARGV[3]
local c = hgetall(K.call(cid))
if c.kind ~= 'call' then return 0 end
if c.state == 'waiting' then
  redis.call('ZADD', K.leases(), 'XX', fmt(NOW + lease_of(c)), cid)
  return 1
end
if c.state == 'offered' then
  if resumable(c) and c.dialing ~= '1' then
    redis.call('ZADD', K.leases(), 'XX', fmt(NOW + lease_of(c)), cid)
  end
  return 1
end
if c.state == 'orphaned' then
  unorphan(cid, c)
  return 1
end
return 0
