-- login_release: a login succeeded; forget the username's failures, give back the address's attempt.
-- KEYS[1] the username's attempt counter
-- KEYS[2] the client address's attempt counter
-- Returns 1.
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  redis.call('DECR', KEYS[2])
end
return 1
