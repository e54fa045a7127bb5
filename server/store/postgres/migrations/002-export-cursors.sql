-- The audit export's durable cursors: per destination (syslog, webhook), the seq of the last audit
-- entry it confirmed, so a restart of any server process resumes after it.
CREATE TABLE export_cursors (
  name text PRIMARY KEY,
  seq bigint NOT NULL CHECK (seq >= 0),
  rev bigint NOT NULL
);
