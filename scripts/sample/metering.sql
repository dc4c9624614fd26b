-- metering: smart-meter readings of the sample estate (observed data),
-- keyed by the CRM customer id and the connection's EAN code. Monthly
-- readings of each register for the last year.
--
-- scripts/gen-sample runs the part above the "after load" line before
-- loading the data and the rest after it; see crm.sql.

CREATE TABLE meter_readings (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    ean_code    text NOT NULL,
    read_at     timestamptz NOT NULL,
    register    text NOT NULL CHECK (register IN ('electricity_normal',
                    'electricity_low', 'gas')),
    reading     numeric(12,3) NOT NULL,
    unit        text NOT NULL CHECK (unit IN ('kWh', 'm3'))
);

-- === after load ===

CREATE INDEX meter_readings_customer_id_idx ON meter_readings (customer_id);

VACUUM ANALYZE meter_readings;
