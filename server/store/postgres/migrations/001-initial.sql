-- The PostgreSQL store's first schema: every repository's table, the change revisions the caches
-- follow, and the table the socket.io adapter keeps large payloads in.
--
-- Records are jsonb, checked with the same zod schemas as the embedded store's documents when they
-- are read. Columns beside them hold only what a query filters or orders on. Text compared without
-- regard to case is kept already lower-cased by the server (JavaScript's toLowerCase), so a search
-- means the same whatever the database's locale; such columns use the C collation so a prefix match
-- (LIKE 'term%') can use their index.

-- Every write to a cached table takes the next revision; a cache applies a change only when its
-- revision is newer than what it holds.
CREATE SEQUENCE store_rev;

CREATE TABLE realm (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  config jsonb NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE keys (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  keys jsonb NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE agents (
  id text PRIMARY KEY,
  record jsonb NOT NULL,
  pos bigserial NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  agent_id text NOT NULL,
  expires_at bigint NOT NULL,
  record jsonb NOT NULL,
  pos bigserial NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE directory_users (
  username text PRIMARY KEY,
  record jsonb NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE persistent_tokens (
  username text PRIMARY KEY,
  not_before bigint NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE outbox (
  id text PRIMARY KEY,
  state text NOT NULL,
  created_at bigint NOT NULL,
  record jsonb NOT NULL,
  pos bigserial NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE method_blocks (
  username text PRIMARY KEY,
  record jsonb NOT NULL,
  rev bigint NOT NULL
);

CREATE TABLE used_links (
  id text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX used_links_expiry ON used_links (expires_at);

-- One row per recorded event; every row of a key carries the key's last revision.
CREATE TABLE activity (
  key text NOT NULL,
  at bigint NOT NULL,
  rev bigint NOT NULL
);
CREATE INDEX activity_key_at ON activity (key, at);

-- The newest sign-ins of a user, newest first (at most 20).
CREATE TABLE sign_ins (
  username text PRIMARY KEY,
  records jsonb NOT NULL,
  rev bigint NOT NULL
);

-- Wrong passcodes per user (times in ms).
CREATE TABLE failures (
  username text PRIMARY KEY,
  times jsonb NOT NULL,
  rev bigint NOT NULL
);

-- pos: the order requests were first committed in (the queue's "oldest first").
CREATE TABLE open_requests (
  id text PRIMARY KEY,
  username text NOT NULL,
  reference text NOT NULL,
  record jsonb NOT NULL,
  pos bigserial NOT NULL,
  rev bigint NOT NULL
);
CREATE INDEX open_requests_username ON open_requests (username);

-- close_seq: the order requests closed in (history is newest first by it).
CREATE TABLE closed_requests (
  id text PRIMARY KEY,
  close_seq bigserial NOT NULL UNIQUE,
  closed_at bigint NOT NULL,
  username_lower text COLLATE "C" NOT NULL,
  reference_normalised text COLLATE "C" NOT NULL,
  desk text NOT NULL,
  state text NOT NULL,
  agents text[] NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX closed_requests_username ON closed_requests (username_lower, close_seq);
CREATE INDEX closed_requests_reference ON closed_requests (reference_normalised, close_seq);
CREATE INDEX closed_requests_agents ON closed_requests USING gin (agents);
CREATE INDEX closed_requests_closed_at ON closed_requests (closed_at);

-- How many requests have closed: one counter, so every process reports the same.
CREATE TABLE request_counts (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  closed bigint NOT NULL
);
INSERT INTO request_counts (closed) VALUES (0);

-- The hash-chained audit log, entries exactly as chained (entry), and what searches filter on.
CREATE TABLE audit (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_lower text COLLATE "C" NOT NULL,
  action_lower text COLLATE "C" NOT NULL,
  request_id text,
  entry jsonb NOT NULL
);
CREATE INDEX audit_actor ON audit (actor_lower, seq);
CREATE INDEX audit_action ON audit (action_lower, seq);
CREATE INDEX audit_request ON audit (request_id, seq);
CREATE INDEX audit_at ON audit (at);

-- The chain's last entry; writers lock this row to append, so every process extends one chain.
CREATE TABLE audit_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64));

-- @socket.io/postgres-adapter's table for payloads too large for NOTIFY, as its README creates it.
CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT NOW(),
  payload bytea
);
