-- _match.lua: matching callers and agents, offers, misses and outcomes; scripts.py appends it
-- to _lib.lua (whose header describes KEYS and ARGV). Not an operation itself.

-- Whether an agent at site `site` may take caller c (who has waited `wait` s) by site: its
-- own site's agents; every site's for a province caller (ranked after the province's own,
-- see best_agent); the parent's (the province) for a city's caller after C.overflow.
local function site_serves(c, site, wait)
  if site == c.site or spills_to(c.site, site) then return true end
  return parent_of(c.site) == site and wait >= C.overflow
end

-- The rank of agent a for caller c who has waited `wait` s; nil when not eligible.
local function tier(c, a, skills, wait)
  if not site_serves(c, a.site, wait) then return nil end
  local lvl = skills[c.line]
  if lvl and (lvl <= 1 or wait >= C.escalate) then return lvl end
  local g = skills[C.general]
  if g and c.line ~= C.general and wait >= C.general_after then return GENERAL_OFFSET + g end
  return nil
end

local function best_agent(c, wait)
  local best, bscore
  local function probe(line, site, maxlvl, offset)
    local r = redis.call('ZRANGEBYSCORE', K.ready(line, site), '-inf',
      '(' .. int((maxlvl + 1) * LSPAN), 'WITHSCORES', 'LIMIT', 0, 1)
    if r[1] then
      local s = tonumber(r[2]) + offset * LSPAN
      if not bscore or s < bscore then best, bscore = r[1], s end
    end
  end
  local maxlvl = (wait >= C.escalate) and 99 or 1
  local function probe_site(site, offset)
    probe(c.line, site, maxlvl, offset)
    if c.line ~= C.general and wait >= C.general_after then
      probe(C.general, site, 99, offset + GENERAL_OFFSET)
    end
  end
  probe_site(c.site, 0)
  local parent = parent_of(c.site)
  if parent and wait >= C.overflow then probe_site(parent, 0) end
  local spills = spills_of(c.site)
  if spills and not best then  -- nobody of the site itself is free: any site's agents
    for site in string.gmatch(spills, '[^,]+') do probe_site(site, SPILL_OFFSET) end
  end
  return best
end

-- The best waiting caller agent a may take: highest priority, then earliest arrival.
local function best_call(a, skills)
  local best, bscore
  for _, q in ipairs(redis.call('SMEMBERS', K.queues())) do
    local sep = string.find(q, '|', 1, true)
    local c = {line = string.sub(q, 1, sep - 1), site = string.sub(q, sep + 1)}
    if (c.site == a.site or parent_of(c.site) == a.site or spills_to(c.site, a.site))
        and (skills[c.line] or (skills[C.general] and c.line ~= C.general)) then
      local key, from = K.wait(c.line, c.site), '-inf'
      while true do  -- one probe per priority band: its head has waited longest
        local r = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
        if not r[1] then break end
        local s = tonumber(r[2])
        if bscore and s >= bscore then break end
        local t0 = tonumber(redis.call('HGET', K.call(r[1]), 't0'))
        if tier(c, a, skills, NOW - t0) then
          best, bscore = r[1], s
          break
        end
        from = int((math.floor(s / PSPAN) + 1) * PSPAN)
      end
    end
  end
  return best
end

-- A resumable call (field rs = '1') has a FastAGI handler that acknowledges each offer it
-- dials (dialing.lua) and refreshes a lease while it waits. Its lease runs on through an
-- offer until the handler acknowledges it, so a lapsed lease means nobody will dial it.
local function resumable(c) return c.kind == 'call' and c.rs == '1' end

-- A resumable call's lease is short (C.rlease: its handler refreshes it every few seconds,
-- so a dead handler is noticed soon); other handlers' (Twilio's webhooks) is C.lease.
local function lease_of(c) return resumable(c) and C.rlease or C.lease end

local function lease_lapsed(cid)
  local s = redis.call('ZSCORE', K.leases(), cid)
  return not s or tonumber(s) <= NOW  -- as sweep_leases counts it
end

-- The handler of call cid is gone: the call leaves matching (no agent is offered a caller
-- nobody dials) but keeps its place (its score) for C.resume_grace s, until a handler resumes
-- it (resume.lua, refresh_lease.lua), the caller hangs up, or the grace ends (lost_handler).
local function orphan(cid, c)
  unwait(cid, c)
  redis.call('ZREM', K.leases(), cid)
  redis.call('ZREM', K.offers(), cid)
  redis.call('DEL', K.ncall(cid))
  redis.call('HSET', K.call(cid), 'state', 'orphaned', 'agent', '', 'deadline', '',
    'dialing', '')
  redis.call('ZADD', K.orphans(), fmt(NOW + C.resume_grace), cid)
  c.state, c.agent = 'orphaned', ''
  emit('orphaned', {'call_id', cid, 'line', c.line, 'site', c.site,
    'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
end

local function offer(cid, c, aid, a)
  unwait(cid, c)
  if not resumable(c) then redis.call('ZREM', K.leases(), cid) end
  local deadline = NOW + C.offer_timeout
  redis.call('ZADD', K.offers(), fmt(deadline), cid)
  redis.call('HSET', K.call(cid), 'state', 'offered', 'agent', aid, 'deadline', fmt(deadline))
  pools_del(aid, a)
  local wait = NOW - tonumber(c.t0)
  local js = cjson.encode({call_id = cid, agent_id = aid, line = c.line, site = c.site,
    dial = a.dial or '', deadline = deadline, kind = c.kind, callback_number = c.cbnum or '',
    caller = c.caller or '', enqueued_at = tonumber(c.t0), wait_seconds = wait,
    priority = tonumber(c.prio), menu_path = path_of(c)})
  push(K.nagent(aid), js)
  if c.kind == 'call' then push(K.ncall(cid), js) end
  count(c.line, c.site, 'offers')
  emit('offered', {'call_id', cid, 'agent_id', aid, 'line', c.line, 'site', c.site,
    'kind', c.kind, 'priority', c.prio, 'wait', fmt(wait), 'deadline', fmt(deadline),
    'menu_path', path_of(c)})
  if c.kind == 'callback' then
    emit('callback_due', {'call_id', cid, 'agent_id', aid, 'line', c.line, 'site', c.site,
      'number', c.cbnum, 'dial', a.dial or '', 'attempt', tostring(tonumber(c.att) + 1),
      'channel', c.chan or ''})
  end
  set_state(aid, a, 'offered', '', cid)
end

-- Give agent aid (ready) the best caller it may take, if any.
-- (A resumable caller found with a lapsed lease is orphaned on the way, and the next tried.)
local function match_agent(aid, a)
  a = a or hgetall(K.agent(aid))
  if a.state ~= 'ready' then return false end
  for _ = 1, 16 do
    local cid = best_call(a, skills_of(a.skills))
    if not cid then return false end
    local c = hgetall(K.call(cid))
    if not (resumable(c) and lease_lapsed(cid)) then
      offer(cid, c, aid, a)
      return true
    end
    orphan(cid, c)
  end
  return false
end

-- A caller became matchable: its best agent takes the best caller *it* may take (usually
-- this one), so the order holds across lines; repeat while this caller still waits.
local function match_call(cid, c)
  for _ = 1, 16 do
    c = c or hgetall(K.call(cid))
    if c.state ~= 'waiting' then return end
    if resumable(c) and lease_lapsed(cid) then return orphan(cid, c) end
    local aid = best_agent(c, NOW - tonumber(c.t0))
    if not aid then return end
    local a = hgetall(K.agent(aid))
    local other = best_call(a, skills_of(a.skills)) or cid
    local oc = other == cid and c or hgetall(K.call(other))
    if other ~= cid and resumable(oc) and lease_lapsed(other) then
      orphan(other, oc)
    else
      offer(other, oc, aid, a)
      if other == cid then return end
    end
    c = nil
  end
end

-- The agent's and the call's hashes while agent aid holds the open offer of call cid; nil else.
local function open_offer(aid, cid)
  local a, c = hgetall(K.agent(aid)), hgetall(K.call(cid))
  if a.state ~= 'offered' or a.call ~= cid or c.state ~= 'offered' or c.agent ~= aid then
    return nil
  end
  return a, c
end

-- Put an offered or delayed caller back at its own place (its original score).
local function requeue(cid, c)
  redis.call('ZREM', K.offers(), cid)
  redis.call('ZREM', K.cbdelay(), cid)
  redis.call('DEL', K.ncall(cid))
  redis.call('HSET', K.call(cid), 'state', 'waiting', 'agent', '', 'deadline', '', 'dialing', '')
  c.state, c.agent, c.dialing = 'waiting', '', ''
  redis.call('ZADD', K.wait(c.line, c.site), c.score, cid)
  redis.call('SADD', K.queues(), c.line .. '|' .. c.site)
  if c.kind == 'call' then redis.call('ZADD', K.leases(), fmt(NOW + lease_of(c)), cid) end
end

-- Withdraw an open offer without blaming the agent (caller left): agent back to ready.
local function withdraw(aid, cid)
  local a = hgetall(K.agent(aid))
  if a.state ~= 'offered' or a.call ~= cid then return nil end
  redis.call('DEL', K.nagent(aid))
  pools_add(aid, a, tonumber(a.idle) or now_ms())
  set_state(aid, a, 'ready', '', '')
  return aid
end

-- A handler is back for orphaned call cid: its own place again, matched at once.
local function unorphan(cid, c)
  redis.call('ZREM', K.orphans(), cid)
  requeue(cid, c)
  emit('resumed', {'call_id', cid, 'line', c.line, 'site', c.site,
    'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
  match_call(cid, c)
end

-- An offer nobody dialled (the handler died before acknowledging it): not the agent's miss.
-- The agent is ready again at once; the call is orphaned, or back in its place when
-- `back` (its handler has just resumed it).
local function take_back(cid, c, back)
  local freed = withdraw(c.agent, cid)
  emit('offer_returned', {'call_id', cid, 'agent_id', c.agent or '', 'line', c.line,
    'site', c.site, 'reason', 'handler_lost'})
  if back then requeue(cid, c) else orphan(cid, c) end
  return freed
end

local function do_miss(cid, c, aid, a, reason)
  requeue(cid, c)
  redis.call('DEL', K.nagent(aid))
  local misses = redis.call('HINCRBY', K.agent(aid), 'misses', 1)
  count(c.line, c.site, 'misses')
  emit('missed', {'call_id', cid, 'agent_id', aid, 'line', c.line, 'site', c.site,
    'reason', reason, 'misses', tostring(misses)})
  if misses >= C.max_misses then
    redis.call('HSET', K.agent(aid), 'misses', 0)
    set_state(aid, a, 'paused', C.auto_pause, '')
  elseif C.miss_delay > 0 then  -- rest a moment: the caller goes to someone else first
    redis.call('ZADD', K.wrapups(), fmt(NOW + C.miss_delay), aid)
    redis.call('HSET', K.agent(aid), 'wrap_until', fmt(NOW + C.miss_delay))
    set_state(aid, a, 'wrap_up', 'missed', '')
  else
    pools_add(aid, a, now_ms())
    set_state(aid, a, 'ready', '', '')
  end
  match_call(cid)
  match_agent(aid)
end

local function do_accept(cid, c, aid, a)
  redis.call('ZREM', K.offers(), cid)
  redis.call('ZREM', K.leases(), cid)
  redis.call('DEL', K.nagent(aid))
  redis.call('HSET', K.call(cid), 'state', 'on_call', 'answered_at', fmt(NOW))
  if c.kind == 'call' and c.ans ~= '1' then
    local wait = NOW - tonumber(c.t0)
    redis.call('HSET', K.call(cid), 'ans', '1', 'wait', fmt(wait))
    count(c.line, c.site, 'answered')
    count(c.line, c.site, 'wait_sum', wait)
    if wait <= C.target then count(c.line, c.site, 'in_target') end
    recent(c.line, c.site, 'w', wait)
    recent(c.line, c.site, 'n', 1)
  end
  redis.call('HSET', K.agent(aid), 'misses', 0)
  set_state(aid, a, 'on_call', '', cid)
  emit('accepted', {'call_id', cid, 'agent_id', aid, 'line', c.line, 'site', c.site,
    'kind', c.kind, 'wait', fmt(NOW - tonumber(c.t0))})
end

-- The one place a call gets its outcome: at most once per call id.
local function finish(cid, c, outcome, kv)
  if c.state == 'done' or not c.state then return false end
  unwait(cid, c)
  redis.call('ZREM', K.leases(), cid)
  redis.call('ZREM', K.offers(), cid)
  redis.call('ZREM', K.cbdelay(), cid)
  redis.call('ZREM', K.orphans(), cid)
  redis.call('DEL', K.ncall(cid))
  redis.call('HSET', K.call(cid), 'state', 'done', 'outcome', outcome, 'ended', fmt(NOW))
  redis.call('EXPIRE', K.call(cid), C.keep_seconds)
  count(c.line, c.site, 'out_' .. outcome)
  local ev = {'call_id', cid, 'line', c.line, 'site', c.site, 'outcome', outcome,
    'kind', c.kind, 'agent_id', c.agent or '', 'caller', c.caller or '',
    'channel', c.chan or '', 'enqueued_at', c.t0,
    'wait', fmt(tonumber(c.wait) or (NOW - tonumber(c.t0)))}
  for i = 1, #(kv or {}) do ev[#ev + 1] = kv[i] end
  emit('finished', ev)
  c.state = 'done'
  return true
end
