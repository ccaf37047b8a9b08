-- The hub's schema (fleet mode). Every replica runs the migrations at start;
-- sqlx keeps them in _sqlx_migrations and takes an advisory lock meanwhile.

-- Machines of the fleet: their token's hash (never the token), catalog and
-- what their edge last said.
CREATE TABLE machines (
    pos_id          TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    catalog         JSONB NOT NULL,
    catalog_version BIGINT NOT NULL DEFAULT 1,
    last_seen       TIMESTAMPTZ,
    dispenser_ready BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per machine: purchase numbers and outbox sequence (rows lock per machine,
-- so a machine's outbox rows commit in the order of their numbers).
CREATE TABLE machine_counters (
    machine     TEXT PRIMARY KEY,
    session_seq BIGINT NOT NULL DEFAULT 0,
    outbox_seq  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    reference            TEXT PRIMARY KEY,
    machine              TEXT NOT NULL,
    seq                  BIGINT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 0,
    product_id           TEXT NOT NULL,
    product_name         TEXT NOT NULL,
    slot                 TEXT NOT NULL,
    amount               BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    tax_rate             BIGINT NOT NULL,
    qr_url               TEXT,
    qr_image             TEXT,
    phase                TEXT NOT NULL,
    reason               TEXT,
    cancelling           TEXT,
    needs_operator       BOOLEAN NOT NULL DEFAULT FALSE,
    operator_reason      TEXT,
    operator_resolved_at TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    expires_at           TIMESTAMPTZ NOT NULL,
    authorized_at        TIMESTAMPTZ,
    ended_at             TIMESTAMPTZ,
    request_id           TEXT,
    vend_acked_at        TIMESTAMPTZ,
    phase_since          TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The next step's time and who works on it, on the database's clock.
    due_at               TIMESTAMPTZ,
    attempts             INTEGER NOT NULL DEFAULT 0,
    lease_owner          TEXT,
    lease_until          TIMESTAMPTZ
);
CREATE INDEX sessions_latest ON sessions (machine, seq DESC);
CREATE INDEX sessions_due ON sessions (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX sessions_flagged ON sessions (machine) WHERE needs_operator;
-- At most one purchase per machine faces the customer.
CREATE UNIQUE INDEX one_open_purchase ON sessions (machine)
    WHERE phase IN ('creating', 'awaitingPayment', 'authorized', 'vending');
CREATE UNIQUE INDEX sessions_by_request ON sessions (machine, request_id)
    WHERE request_id IS NOT NULL;

CREATE TABLE transitions (
    id        BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL,
    phase     TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX transitions_by_reference ON transitions (reference);

-- What each machine's screen or edge must hear, in order; NOTIFY only wakes
-- the streams, which read from here.
CREATE TABLE outbox (
    machine   TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    reference TEXT,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (machine, seq)
);

-- Webhook deliveries: the same one twice (or to two replicas) lands once.
CREATE TABLE webhook_inbox (
    reference     TEXT NOT NULL,
    name          TEXT NOT NULL,
    psp_reference TEXT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (reference, name, psp_reference)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Named jobs done by one replica at a time (the webhook registration).
CREATE TABLE jobs (
    name        TEXT PRIMARY KEY,
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    done_at     TIMESTAMPTZ
);
