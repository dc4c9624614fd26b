-- dpex control database, version 2: a request whose subject no source
-- knows ends as not_found. That is an answer, not a failure: the person
-- is told that no personal data about them was found in the systems
-- searched (GDPR Art. 15(1) asks for confirmation either way), and a
-- worker does not retry it.

ALTER TABLE dpex.requests DROP CONSTRAINT requests_status_check;
ALTER TABLE dpex.requests ADD CONSTRAINT requests_status_check
	CHECK (status IN ('received', 'verified', 'queued', 'running', 'ready',
		'delivered', 'failed', 'cancelled', 'expired', 'not_found'));

CREATE OR REPLACE FUNCTION dpex.next_statuses(from_status text)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
	SELECT CASE from_status
		WHEN 'received' THEN ARRAY['verified', 'cancelled']
		WHEN 'verified' THEN ARRAY['queued', 'cancelled']
		WHEN 'queued' THEN ARRAY['running', 'failed', 'cancelled']
		WHEN 'running' THEN ARRAY['ready', 'not_found', 'queued',
			'failed', 'cancelled']
		WHEN 'ready' THEN ARRAY['delivered', 'expired']
		WHEN 'delivered' THEN ARRAY['expired']
		WHEN 'failed' THEN ARRAY['queued', 'cancelled']
		ELSE ARRAY[]::text[]
	END
$$;
