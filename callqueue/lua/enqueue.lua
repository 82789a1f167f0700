-- enqueue: a caller joins the waiting set of its line and site; idempotent on the call id.
-- KEYS[1] events stream (other keys from its prefix, see _lib.lua)
-- ARGV[3] call id, ARGV[4] line, ARGV[5] site, ARGV[6] priority (0..max), ARGV[7] caller,
-- ARGV[8] repeat flag (0/1), ARGV[9] channel, ARGV[10] menu path (cleaned, <= 200 chars),
-- ARGV[11] resumable flag (0/1: the handler acknowledges offers and may resume the call)
-- Returns the 1-based position (1 when already offered), or -1 if the call already ended.
-- A call already held is left as it is (its first menu path included); an orphaned one is
-- back in its place (its handler is alive again).
local cid, line, site, prio = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local path = ARGV[10] or ''
local ck = K.call(cid)
local state = redis.call('HGET', ck, 'state')
if state == 'done' then return -1 end
if state == 'orphaned' then
  local c = hgetall(ck)
  unorphan(cid, c)
  return position(cid, hgetall(ck))
end
if state then return position(cid, hgetall(ck)) end
local seq = redis.call('INCR', K.seq())
local score = int((C.max_priority - prio) * PSPAN + seq)
local fields = {'line', line, 'site', site, 'prio', prio, 'caller', ARGV[7], 'rep', ARGV[8],
  'chan', ARGV[9], 't0', fmt(NOW), 'score', score, 'state', 'waiting', 'kind', 'call', 'att', 0,
  'rs', ARGV[11] == '1' and '1' or '0'}
local pf = path_fields(path)
for i = 1, #pf do fields[#fields + 1] = pf[i] end
redis.call('HSET', ck, unpack(fields))
redis.call('ZADD', K.wait(line, site), score, cid)
redis.call('SADD', K.queues(), line .. '|' .. site)
redis.call('ZADD', K.leases(), fmt(NOW + (ARGV[11] == '1' and C.rlease or C.lease)), cid)
count(line, site, 'offered')
redis.call('EXPIRE', K.day(DAY), C.day_ttl)
recent(line, site, 'a', 1)
local pos = redis.call('ZRANK', K.wait(line, site), cid) + 1
emit('enqueued', {'call_id', cid, 'line', line, 'site', site, 'priority', tostring(prio),
  'caller', ARGV[7], 'repeat', ARGV[8], 'channel', ARGV[9], 'menu_path', path,
  'position', tostring(pos)})
local c = {line = line, site = site, prio = tostring(prio), caller = ARGV[7], t0 = fmt(NOW),
  score = score, state = 'waiting', kind = 'call', att = '0', rs = ARGV[11] == '1' and '1' or '0'}
for i = 1, #pf, 2 do c[pf[i]] = pf[i + 1] end
match_call(cid, c)
if redis.call('HGET', ck, 'state') == 'offered' then return 1 end
return redis.call('ZRANK', K.wait(line, site), cid) + 1
