-- Appends one user's events to the history LIST (newest first) and trims it, atomically.
-- KEYS[1] history LIST, KEYS[2] replay guard ZSET (member "item:ts", score ts); same slot (hash tag).
-- ARGV[1] history length, ARGV[2] guard size, then item, ts pairs, oldest first.
-- An event whose identity the guard holds is a replay and is skipped. When the guard is full, an
-- event not newer than its oldest identity cannot be told from a replay of a forgotten one, and is
-- skipped as stale: so replaying any batch, however old, never duplicates history.
local length = tonumber(ARGV[1])
local guard = tonumber(ARGV[2])
local oldest = nil
if redis.call('ZCARD', KEYS[2]) >= guard then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  oldest = tonumber(first[2])
end
local added, duplicates, stale = 0, 0, 0
for i = 3, #ARGV, 2 do
  local item, ts = ARGV[i], ARGV[i + 1]
  local id = item .. ':' .. ts
  if redis.call('ZSCORE', KEYS[2], id) then
    duplicates = duplicates + 1
  elseif oldest ~= nil and tonumber(ts) <= oldest then
    stale = stale + 1
  else
    redis.call('ZADD', KEYS[2], ts, id)
    redis.call('LPUSH', KEYS[1], item)
    added = added + 1
  end
end
if added > 0 then
  redis.call('LTRIM', KEYS[1], 0, length - 1)
  local size = redis.call('ZCARD', KEYS[2])
  if size > guard then
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, size - guard - 1)
  end
end
return {added, duplicates, stale}
