-- snapshot: everything a wallboard shows, read atomically (read only).
-- KEYS[1] events stream; ARGV[3..] 'line|site' pairs to report
-- Returns JSON {day: {...}, agents: [{...}], queues: {pair: {waiting, oldest, staff, recent}}}
local out = {day = hgetall(K.day(DAY)), agents = {}, queues = {}}
for _, aid in ipairs(redis.call('SMEMBERS', K.agents())) do
  local a = hgetall(K.agent(aid))
  a.id = aid
  out.agents[#out.agents + 1] = a
end
for i = 3, #ARGV do
  local sep = string.find(ARGV[i], '|', 1, true)
  local line, site = string.sub(ARGV[i], 1, sep - 1), string.sub(ARGV[i], sep + 1)
  local key, from, oldest = K.wait(line, site), '-inf', nil
  while true do  -- the head of each priority band is that band's longest waiter
    local r = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    if not r[1] then break end
    local t0 = tonumber(redis.call('HGET', K.call(r[1]), 't0'))
    if not oldest or t0 < oldest then oldest = t0 end
    from = int((math.floor(tonumber(r[2]) / PSPAN) + 1) * PSPAN)
  end
  out.queues[ARGV[i]] = {waiting = redis.call('ZCARD', key), oldest = oldest or false,
    staff = redis.call('SCARD', K.staff(line, site)), recent = hgetall(K.recent(line, site))}
end
return cjson.encode(out)
