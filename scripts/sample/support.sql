-- support: the customer service system of the sample estate. Contacts are
-- filed under the e-mail address the person wrote from or gave on the
-- phone, and nothing else: no CRM id, no order reference. Prospects who
-- never became customers are here too.
--
-- scripts/gen-sample runs the part above the "after load" line before
-- loading the data and the rest after it; see crm.sql.

CREATE TABLE contact_notes (
    id             bigint PRIMARY KEY,
    customer_email text NOT NULL CHECK (customer_email = lower(customer_email)),
    created_at     timestamptz NOT NULL,
    channel        text NOT NULL CHECK (channel IN ('phone', 'email', 'chat',
                       'letter')),
    agent_name     text NOT NULL,             -- the employee who wrote it
    subject        text NOT NULL,
    body           text NOT NULL              -- free text, may be multi-line
);

-- === after load ===

CREATE INDEX contact_notes_customer_email_idx ON contact_notes (customer_email);

VACUUM ANALYZE contact_notes;
