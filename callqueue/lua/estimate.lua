-- estimate: inputs of the estimated wait of one line and site (read only).
-- KEYS[1] events stream; ARGV[3] line, ARGV[4] site
-- Returns JSON {staff, ready, waiting, recent: {field: value}}.
local line, site = ARGV[3], ARGV[4]
return cjson.encode({staff = redis.call('SCARD', K.staff(line, site)),
  ready = redis.call('ZCARD', K.ready(line, site)),
  waiting = redis.call('ZCARD', K.wait(line, site)),
  recent = hgetall(K.recent(line, site))})
