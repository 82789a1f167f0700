-- return_offer: the offer could not be delivered (telephony or transport error): the caller
-- goes back to its place and the agent back to ready with no miss counted and no rest, and
-- matching runs again at once (often the same pair).
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] call id, ARGV[5] reason
-- Returns 1, or 0 when this offer is no longer open.
local aid, cid = ARGV[3], ARGV[4]
local a, c = open_offer(aid, cid)
if not a then return 0 end
requeue(cid, c)
redis.call('DEL', K.nagent(aid))
pools_add(aid, a, tonumber(a.idle) or now_ms())
emit('offer_returned', {'call_id', cid, 'agent_id', aid, 'line', c.line, 'site', c.site,
  'reason', ARGV[5]})
set_state(aid, a, 'ready', '', '')
match_call(cid)
match_agent(aid)
return 1
