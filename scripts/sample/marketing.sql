-- marketing: consent records of the sample estate, keyed by the CRM
-- customer id (a copy of the number, not a foreign key: another database).
-- Append-only: every change of mind is a new row, so the history shows
-- when consent was granted and withdrawn, where, and under which version
-- of the privacy policy.
--
-- scripts/gen-sample runs the part above the "after load" line before
-- loading the data and the rest after it; see crm.sql.

CREATE TABLE consents (
    id             bigint PRIMARY KEY,
    customer_id    bigint NOT NULL,
    purpose        text NOT NULL CHECK (purpose IN ('newsletter', 'profiling',
                       'partner_offers', 'surveys')),
    status         text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
    channel        text NOT NULL CHECK (channel IN ('email', 'sms', 'phone',
                       'post')),
    source         text NOT NULL CHECK (source IN ('web_form', 'call_centre',
                       'app', 'shop')),
    recorded_at    timestamptz NOT NULL,
    policy_version text NOT NULL              -- '2018-05', '2024-03'
);

-- Marketing segments: our own model's profile of a customer, recomputed
-- now and then (derived data, profiling).
CREATE TABLE segments (
    id             bigint PRIMARY KEY,
    customer_id    bigint NOT NULL,
    computed_at    timestamptz NOT NULL,
    segment        text NOT NULL,            -- 'energy_saver', ...
    propensity     numeric(4,3) NOT NULL,    -- 0..1: likelihood to buy
    model_version  text NOT NULL
);

-- === after load ===

CREATE INDEX consents_customer_id_idx ON consents (customer_id);

CREATE INDEX segments_customer_id_idx ON segments (customer_id);

VACUUM ANALYZE consents;
VACUUM ANALYZE segments;
