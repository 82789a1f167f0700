-- request_callback: the caller leaves but keeps the place as a virtual caller.
-- KEYS[1] events stream; ARGV[3] call id, ARGV[4] callback number
-- Returns 1 when the entry became a callback, 0 when it was not a waiting call.
local cid, number = ARGV[3], ARGV[4]
local c = hgetall(K.call(cid))
if c.state ~= 'waiting' or c.kind ~= 'call' then return 0 end
redis.call('HSET', K.call(cid), 'kind', 'callback', 'cbnum', number, 'att', 0)
redis.call('ZREM', K.leases(), cid)
redis.call('DEL', K.ncall(cid))
count(c.line, c.site, 'cb_req')
emit('callback', {'call_id', cid, 'line', c.line, 'site', c.site, 'number', number,
  'position', tostring(position(cid, c))})
return 1
