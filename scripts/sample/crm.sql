-- crm: customer relationship management of the sample estate
-- (Noorderlicht Energie & Telecom). One row per customer, holding the keys
-- the other systems use for the same person: order_ref (orders), email
-- (support) and id (marketing).
--
-- scripts/gen-sample runs this file in two steps: the part above the
-- "after load" line before loading the data, the rest after it, because
-- building indexes and checking foreign keys once is much faster than
-- maintaining them row by row during COPY. Run as a whole on an empty
-- database, the file gives the same schema.

CREATE TYPE address_kind AS ENUM ('residence', 'delivery', 'connection',
                                  'billing');

CREATE TABLE customers (
    id                 bigint PRIMARY KEY,
    customer_number    text NOT NULL,         -- 'NL-0000123', 'SE-0004711'
    first_name         text NOT NULL,
    last_name          text NOT NULL,
    email              text CHECK (email = lower(email)),
    phone              text,                  -- '+31 6 12345678'
    date_of_birth      date,
    customer_since     timestamptz NOT NULL,
    preferred_language text NOT NULL
                       CHECK (preferred_language IN ('nl', 'sv', 'en')),
    order_ref          text NOT NULL          -- orders.customer_ref
);

-- Several per customer and over time: where they live (residence), where
-- parcels go (delivery), where energy is delivered (connection, with the
-- grid connection's EAN code) and where invoices go (billing).
CREATE TABLE addresses (
    id                  bigint PRIMARY KEY,
    customer_id         bigint NOT NULL,
    kind                address_kind NOT NULL,
    street              text NOT NULL,
    house_number        integer NOT NULL,
    house_number_suffix text,                 -- 'A', 'bis', '-2', 'hs'
    postal_code         text NOT NULL,        -- '1234 AB', '123 45'
    city                text NOT NULL,
    country             text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    valid_from          date NOT NULL,
    valid_to            date,
    ean_code            text CHECK (ean_code ~ '^[0-9]{18}$'),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK ((kind = 'connection') = (ean_code IS NOT NULL))
);

-- === after load ===

ALTER TABLE customers ADD CONSTRAINT customers_customer_number_key
    UNIQUE (customer_number);
ALTER TABLE customers ADD CONSTRAINT customers_order_ref_key
    UNIQUE (order_ref);
CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_phone_idx ON customers (phone);
CREATE INDEX addresses_customer_id_idx ON addresses (customer_id);
ALTER TABLE addresses ADD CONSTRAINT addresses_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id);

VACUUM ANALYZE customers;
VACUUM ANALYZE addresses;
