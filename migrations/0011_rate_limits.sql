-- An organisation's own limits on each of its API keys (issue 12 point 3); an organisation
-- without a row has the defaults (RATE_LIMIT_BURST, RATE_LIMIT_PER_MINUTE).
CREATE TABLE rate_limits (
  organisation_id  uuid PRIMARY KEY REFERENCES organisations(id),
  burst            integer NOT NULL CHECK (burst BETWEEN 1 AND 100000),
  per_minute       integer NOT NULL CHECK (per_minute BETWEEN 1 AND 1000000),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
