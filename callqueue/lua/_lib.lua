-- _lib.lua: helpers shared by every operation; scripts.py prepends it to each script file.
-- Not an operation itself. Every script gets:
--   KEYS[1]  the partition's event stream; every other key is built from its hash-tagged
--            prefix by the K.* functions generated from callqueue/keys.py (same slot).
--   ARGV[1]  now (epoch s), ARGV[2] today (yyyymmdd, Asia/Shanghai); an operation's own
--            arguments start at ARGV[3].
--   C        the queue policy (see callqueue/policy.py): scripts.py writes it into the script
--            as a table literal, so a run neither receives nor decodes it. Another policy is
--            another script (another SHA1), loaded on first use.
--@POLICY@--
local NOW = tonumber(ARGV[1])
local DAY = ARGV[2]
local P = string.sub(KEYS[1], 1, #KEYS[1] - #'events')
--@PRELUDE@--
local LSPAN = 1e13        -- ready pool score: level * LSPAN + idle-since in ms
local PSPAN = 1e12        -- wait score: (max_priority - priority) * PSPAN + arrival seq
local GENERAL_OFFSET = 10 -- general-line agents rank after every level of the line's own
local SPILL_OFFSET = 100  -- other sites' agents (C.spills) rank after every agent of the site
local WORKING = {ready = true, offered = true, on_call = true, wrap_up = true}
-- A call's menu path is kept in hash fields of at most PATH_CHUNK bytes ('path', 'path2', ...):
-- one longer value turns the call hash from a listpack into a hashtable (about 1 KB more;
-- Redis' default hash-max-listpack-value is 64).
local PATH_CHUNK = 64

local function parent_of(site) return string.match(C.parents, ';' .. site .. '=([^;]+)') end
-- 'a,b,c': the sites whose agents take site's callers at once when its own are not free
local function spills_of(site) return string.match(C.spills, ';' .. site .. '=([^;]+)') end
local function spills_to(site, other)
  local to = spills_of(site)
  return to ~= nil and string.find(',' .. to .. ',', ',' .. other .. ',', 1, true) ~= nil
end
local function wrap_of(line) return tonumber(string.match(C.wrap, ';' .. line .. '=([^;]+)')) end
local function fmt(x) return string.format('%.3f', x) end
local function int(x) return string.format('%.0f', x) end
local function now_ms() return math.floor(NOW * 1000) end

local function hgetall(key)
  local r = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #r, 2 do t[r[i]] = r[i + 1] end
  return t
end

local function emit(kind, kv)
  local args = {'XADD', KEYS[1], 'MAXLEN', '~', C.maxlen, '*', 'type', kind, 'ts', fmt(NOW)}
  for i = 1, #kv do args[#args + 1] = kv[i] end
  redis.call(unpack(args))
end

-- today's counters; the day hash gets its expiry from enqueue (every day starts with one)
local function count(line, site, field, by)
  local key = K.day(DAY)
  if by then
    redis.call('HINCRBYFLOAT', key, line .. '|' .. site .. '|' .. field, by)
  else
    redis.call('HINCRBY', key, line .. '|' .. site .. '|' .. field, 1)
  end
end

-- per-minute ring: t<i> minute stamp, a arrivals, w wait sum, n answered, h talk sum, k talks
local function recent(line, site, kind, by)
  local key = K.recent(line, site)
  local m = math.floor(NOW / 60)
  local i = m % C.ring
  if redis.call('HGET', key, 't' .. i) ~= int(m) then
    redis.call('HSET', key, 't' .. i, int(m), 'a' .. i, 0, 'w' .. i, 0, 'n' .. i, 0,
      'h' .. i, 0, 'k' .. i, 0)
  end
  redis.call('HINCRBYFLOAT', key, kind .. i, by)
end

local function skills_of(s)
  local t = {}
  for line, lvl in string.gmatch(s or '', '([%w_]+):(%d+)') do t[line] = tonumber(lvl) end
  return t
end

local function set_state(aid, a, state, reason, call)
  local old = a.state
  local skills = skills_of(a.skills)
  if WORKING[state] ~= WORKING[old] then
    local verb = WORKING[state] and 'SADD' or 'SREM'
    for line in pairs(skills) do redis.call(verb, K.staff(line, a.site), aid) end
  end
  a.state, a.since, a.reason, a.call = state, fmt(NOW), reason or '', call or ''
  redis.call('HSET', K.agent(aid), 'state', state, 'since', a.since, 'reason', a.reason,
    'call', a.call)
  emit('agent_state', {'agent_id', aid, 'state', state, 'reason', a.reason, 'call_id', a.call,
    'site', a.site or '', 'previous', old or 'logged_out', 'idle_ms', a.idle or ''})
end

local function pools_add(aid, a, idle)
  a.idle = int(idle)
  redis.call('HSET', K.agent(aid), 'idle', a.idle)
  for line, lvl in pairs(skills_of(a.skills)) do
    redis.call('ZADD', K.ready(line, a.site), int(lvl * LSPAN + idle), aid)
  end
  redis.call('ZADD', K.readyall(), a.idle, aid)
end

local function pools_del(aid, a)
  for line in pairs(skills_of(a.skills)) do redis.call('ZREM', K.ready(line, a.site), aid) end
  redis.call('ZREM', K.readyall(), aid)
end

local function push(key, value)
  redis.call('RPUSH', key, value)
  redis.call('PEXPIRE', key, C.notify_ttl_ms)
end

local function unwait(cid, c)
  local wkey = K.wait(c.line, c.site)
  if redis.call('ZREM', wkey, cid) == 1 and redis.call('ZCARD', wkey) == 0 then
    redis.call('SREM', K.queues(), c.line .. '|' .. c.site)
  end
end

-- The menu path as call-hash field/value pairs (none for an empty path).
local function path_fields(path)
  local kv, n = {}, 0
  for i = 1, #path, PATH_CHUNK do
    n = n + 1
    kv[#kv + 1] = n == 1 and 'path' or ('path' .. n)
    kv[#kv + 1] = string.sub(path, i, i + PATH_CHUNK - 1)
  end
  return kv
end

-- The menu path of call c (its hash read with hgetall, or the same fields).
local function path_of(c)
  local parts, n = {c.path}, 2
  while c['path' .. n] do
    parts[n], n = c['path' .. n], n + 1
  end
  return table.concat(parts)
end

local function position(cid, c)
  if c.state == 'waiting' then
    local rank = redis.call('ZRANK', K.wait(c.line, c.site), cid)
    return rank and rank + 1 or 0
  elseif c.state == 'offered' then
    return 1
  elseif c.state == 'cb_delay' or c.state == 'orphaned' then
    return redis.call('ZCOUNT', K.wait(c.line, c.site), '-inf', '(' .. c.score) + 1
  end
  return 0
end
