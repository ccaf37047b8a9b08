-- Refunds an operator made (`operator refund`), keyed by the Idempotency-Key
-- they were asked with; and the sales report's range over creation times.
CREATE TABLE refunds (
    idempotency_key TEXT PRIMARY KEY,
    reference       TEXT NOT NULL REFERENCES sessions(reference),
    amount          BIGINT NOT NULL,
    reason          TEXT NOT NULL,
    operator        TEXT NOT NULL,
    requested_at    TIMESTAMPTZ NOT NULL,
    done_at         TIMESTAMPTZ
);
CREATE INDEX refunds_by_reference ON refunds (reference);
CREATE INDEX sessions_by_created ON sessions (created_at);
