-- orders: the order and contract system of the sample estate. It knows a
-- person only by its own customer reference (customer_ref, equal to
-- crm.customers.order_ref), never by the CRM id or the e-mail address.
--
-- scripts/gen-sample runs the part above the "after load" line before
-- loading the data and the rest after it; see crm.sql.

CREATE TABLE orders (
    id              bigint PRIMARY KEY,
    customer_ref    text NOT NULL,            -- 'ORD-C-7F3A21'
    order_number    text NOT NULL,            -- 'NET-2024-0012345'
    placed_at       timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('placed', 'shipped',
                        'delivered', 'cancelled', 'returned')),
    delivery_option text NOT NULL CHECK (delivery_option IN ('standard',
                        'express', 'pickup_point', 'installation')),
    total_amount    numeric(12,2) NOT NULL,   -- VAT included
    currency        text NOT NULL CHECK (currency IN ('EUR', 'SEK')),
    note            text
);

-- Credits (loyalty, welcome, compensation) are lines with a negative
-- unit price.
CREATE TABLE order_lines (
    id           bigint PRIMARY KEY,
    order_id     bigint NOT NULL,
    line_no      integer NOT NULL,
    product_code text NOT NULL,
    description  text NOT NULL,
    quantity     integer NOT NULL CHECK (quantity > 0),
    unit_price   numeric(12,2) NOT NULL,      -- VAT included
    vat_rate     numeric(4,2) NOT NULL        -- percent: 21.00, 9.00, 25.00
);

CREATE TABLE subscriptions (
    id              bigint PRIMARY KEY,
    customer_ref    text NOT NULL,
    contract_number text NOT NULL,            -- 'CT-2021-0004512'
    product         text NOT NULL,            -- 'electricity (fixed 3 years)'
    started_on      date NOT NULL,
    ended_on        date,
    monthly_fee     numeric(10,2) NOT NULL,   -- VAT included
    currency        text NOT NULL CHECK (currency IN ('EUR', 'SEK')),
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);

-- Credit checks when a contract starts: the credit bureau's score and what
-- our rules decided from it (an automated decision, Art. 22).
CREATE TABLE credit_checks (
    id              bigint PRIMARY KEY,
    customer_ref    text NOT NULL,
    checked_at      timestamptz NOT NULL,
    bureau          text NOT NULL,            -- who was asked
    bureau_reference text NOT NULL,           -- their reference
    bureau_score    integer NOT NULL CHECK (bureau_score BETWEEN 0 AND 1000),
    outcome         text NOT NULL CHECK (outcome IN ('accepted',
                        'deposit_required', 'refused')),
    credit_limit    numeric(12,2) NOT NULL    -- derived from the score
);

-- === after load ===

ALTER TABLE orders ADD CONSTRAINT orders_order_number_key
    UNIQUE (order_number);
CREATE INDEX orders_customer_ref_idx ON orders (customer_ref);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_id_line_no_key
    UNIQUE (order_id, line_no);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_contract_number_key
    UNIQUE (contract_number);
CREATE INDEX subscriptions_customer_ref_idx ON subscriptions (customer_ref);

CREATE INDEX credit_checks_customer_ref_idx ON credit_checks (customer_ref);

VACUUM ANALYZE orders;
VACUUM ANALYZE order_lines;
VACUUM ANALYZE subscriptions;
VACUUM ANALYZE credit_checks;
