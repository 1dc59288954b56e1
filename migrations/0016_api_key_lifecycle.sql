-- API keys that end (issue 12 point 3): an optional expiry set when the key is made, and
-- when the key was last used, written at most once a minute per key (AuthGuard), so that
-- an owner can see which keys are idle before revoking them. revoked_at is from 0001.
ALTER TABLE api_keys
  ADD COLUMN expires_at    timestamptz,
  ADD COLUMN last_used_at  timestamptz;
