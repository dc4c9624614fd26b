-- dpex control database, version 1: requests, their status flow, the
-- append-only audit trail and the outbox of callbacks.
--
-- Applied by `dpex queue init` inside one transaction that holds the
-- migration lock, after it has made the schema "dpex" and the table
-- dpex.schema_version, on a connection whose search_path is empty. Every
-- function runs with an empty search_path too: then only pg_catalog is
-- searched, so a schema a role puts first cannot change what an operator
-- or function here means, and dpex's own objects are named dpex.*.

CREATE TABLE dpex.requests (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tracker text NOT NULL CHECK (tracker <> ''),
	ref text NOT NULL CHECK (ref <> ''),
	kind text NOT NULL CHECK (kind IN ('access', 'portability')),
	-- [{"identifier": "email", "value": "anna@example.nl"}, ...]
	subject jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(subject) = 'array'
		AND pg_catalog.jsonb_array_length(subject) > 0),
	formats text[] NOT NULL,
	lang text NOT NULL DEFAULT 'en',
	regime text NOT NULL
		CHECK (regime IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd')),
	received_at timestamptz NOT NULL,
	legal_due_on date NOT NULL,
	due_on date NOT NULL CHECK (due_on <= legal_due_on),
	extended_due_on date,
	extension_reason text,
	extended_at timestamptz,
	extended_by text,
	status text NOT NULL DEFAULT 'received' CHECK (status IN ('received',
		'verified', 'queued', 'running', 'ready', 'delivered', 'failed',
		'cancelled', 'expired')),
	attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
	max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
	run_after timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- The worker holding the request while it runs, until when, and a
	-- number that grows with every claim: a result is recorded only with
	-- the epoch of the claim that produced it (fencing).
	lease_owner text,
	lease_expires_at timestamptz,
	lease_epoch bigint NOT NULL DEFAULT 0,
	archive_path text,
	archive_bytes bigint CHECK (archive_bytes >= 0),
	archive_rows bigint CHECK (archive_rows >= 0),
	archive_sha256 text CHECK (archive_sha256 ~ '^[0-9a-f]{64}$'),
	systems_searched text[],
	last_error text,
	verified_method text,
	verified_at timestamptz,
	verified_by text,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	UNIQUE (tracker, ref),
	CHECK ((extended_due_on IS NULL) = (extension_reason IS NULL)
		AND (extended_due_on IS NULL) = (extended_at IS NULL)),
	CHECK (extended_due_on IS NULL OR extended_due_on > legal_due_on),
	CHECK ((status = 'running') = (lease_owner IS NOT NULL)
		AND (lease_owner IS NULL) = (lease_expires_at IS NULL)),
	CHECK (status NOT IN ('ready', 'delivered') OR (archive_path IS NOT NULL
		AND archive_sha256 IS NOT NULL AND archive_bytes IS NOT NULL)),
	CHECK (status IN ('received', 'cancelled') OR verified_method IS NOT NULL)
);

-- What a worker claims next: the most urgent queued request.
CREATE INDEX requests_queued ON dpex.requests
	(coalesce(extended_due_on, due_on), received_at, id)
	WHERE status = 'queued';
-- Leases to rescue.
CREATE INDEX requests_running ON dpex.requests (lease_expires_at)
	WHERE status = 'running';
CREATE INDEX requests_due ON dpex.requests (due_on)
	WHERE status IN ('received', 'verified', 'queued', 'running');

-- The status flow. Only these steps exist; everything else is refused.
CREATE FUNCTION dpex.next_statuses(from_status text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
	SELECT CASE from_status
		WHEN 'received' THEN ARRAY['verified', 'cancelled']
		WHEN 'verified' THEN ARRAY['queued', 'cancelled']
		WHEN 'queued' THEN ARRAY['running', 'failed', 'cancelled']
		WHEN 'running' THEN ARRAY['ready', 'queued', 'failed', 'cancelled']
		WHEN 'ready' THEN ARRAY['delivered', 'expired']
		WHEN 'delivered' THEN ARRAY['expired']
		WHEN 'failed' THEN ARRAY['queued', 'cancelled']
		ELSE ARRAY[]::text[]
	END
$$;

-- Who acts: what the client set for this transaction (set_config
-- ('dpex.actor', ..., true)), else the database role.
CREATE FUNCTION dpex.actor() RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS $$
	SELECT coalesce(
		nullif(current_setting('dpex.actor', true), ''),
		'role:' || session_user)
$$;

CREATE FUNCTION dpex.requests_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'received' THEN
			RAISE EXCEPTION USING ERRCODE = 'DX001',
				MESSAGE = format(
					'a new request starts as received, not %s',
					NEW.status);
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.id <> OLD.id
	   OR NEW.tracker <> OLD.tracker
	   OR NEW.ref <> OLD.ref
	   OR NEW.received_at <> OLD.received_at
	   OR NEW.subject <> OLD.subject
	   OR NEW.kind <> OLD.kind THEN
		RAISE EXCEPTION USING ERRCODE = 'DX002',
			MESSAGE = format(
				'request %s: its tracker, reference, kind, subject '
				'and time of receipt are fixed once received',
				OLD.id);
	END IF;
	IF NEW.status <> OLD.status THEN
		IF NOT NEW.status = ANY (
				dpex.next_statuses(OLD.status)) THEN
			IF dpex.next_statuses(OLD.status) = ARRAY[]::text[] THEN
				RAISE EXCEPTION USING ERRCODE = 'DX001',
					MESSAGE = format('request %s is %s, which is final: '
						'it cannot become %s', OLD.id, OLD.status,
						NEW.status);
			END IF;
			RAISE EXCEPTION USING ERRCODE = 'DX001',
				MESSAGE = format('request %s is %s: it cannot become %s; '
					'from %s it can only become %s', OLD.id, OLD.status,
					NEW.status, OLD.status, array_to_string(
						dpex.next_statuses(OLD.status), ', '));
		END IF;
		IF NEW.status = 'running' THEN
			NEW.lease_epoch := OLD.lease_epoch + 1;
		END IF;
	END IF;
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

CREATE TRIGGER requests_guard BEFORE INSERT OR UPDATE ON dpex.requests
	FOR EACH ROW EXECUTE FUNCTION dpex.requests_guard();

CREATE FUNCTION dpex.requests_no_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'DX003',
		MESSAGE = 'requests are never deleted: cancel or expire them';
END
$$;

CREATE TRIGGER requests_no_delete BEFORE DELETE ON dpex.requests
	FOR EACH ROW EXECUTE FUNCTION dpex.requests_no_delete();
CREATE TRIGGER requests_no_truncate BEFORE TRUNCATE ON dpex.requests
	FOR EACH STATEMENT EXECUTE FUNCTION dpex.requests_no_delete();

-- The audit trail: one row per event, never changed. Each row carries the
-- SHA-256 of the one before it (of the same request; 64 zeros for the
-- first) and its own, over this exact text (UTF-8), each field written as
-- its length in bytes, ':', the field, '\n', and NULL as '-\n':
--   request_id, n, at (UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ"), actor, action,
--   old_status, new_status, detail (jsonb as PostgreSQL prints it),
--   prev_hash
-- so `dpex request audit ID --verify` can recompute every hash and see an
-- entry changed or taken out of the middle. n counts a request's entries
-- from 1, without gaps.
CREATE TABLE dpex.audit (
	seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	request_id bigint NOT NULL REFERENCES dpex.requests (id),
	n integer NOT NULL CHECK (n >= 1),
	at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	actor text NOT NULL,
	action text NOT NULL,
	old_status text,
	new_status text,
	detail jsonb,
	prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
	hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
	UNIQUE (request_id, n)
);

CREATE FUNCTION dpex.audit_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
	SELECT CASE WHEN value IS NULL THEN E'-\n'
		ELSE octet_length(value)::text || ':' || value || E'\n' END
$$;

CREATE FUNCTION dpex.audit_text(a dpex.audit) RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS $$
	SELECT dpex.audit_field(a.request_id::text) || dpex.audit_field(a.n::text) || dpex.audit_field(to_char(
			a.at AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) || dpex.audit_field(a.actor) || dpex.audit_field(a.action) || dpex.audit_field(a.old_status) || dpex.audit_field(a.new_status) || dpex.audit_field(a.detail::text) || dpex.audit_field(a.prev_hash)
$$;

CREATE FUNCTION dpex.audit_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
	last record;
BEGIN
	-- One writer at a time per request, so n and the chain have no fork.
	PERFORM pg_advisory_xact_lock(hashtext('dpex.audit'),
		(NEW.request_id % 2147483648)::integer);
	SELECT a.n, a.hash INTO last FROM dpex.audit a
		WHERE a.request_id = NEW.request_id
		ORDER BY a.n DESC LIMIT 1;
	NEW.n := coalesce(last.n, 0) + 1;
	NEW.prev_hash := coalesce(last.hash,
		repeat('0', 64));
	NEW.at := clock_timestamp();
	NEW.hash := encode(sha256(convert_to(
		dpex.audit_text(NEW), 'UTF8')), 'hex');
	RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain BEFORE INSERT ON dpex.audit
	FOR EACH ROW EXECUTE FUNCTION dpex.audit_chain();

CREATE FUNCTION dpex.audit_refuse() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'DX004',
		MESSAGE = 'the audit trail is append-only: its entries are '
			'never changed or removed';
END
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON dpex.audit
	FOR EACH ROW EXECUTE FUNCTION dpex.audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON dpex.audit
	FOR EACH STATEMENT EXECUTE FUNCTION dpex.audit_refuse();

-- Callbacks to the tracker, written in the transaction of the change they
-- report: one per status change, sent in order of n per request, each
-- under the stable id "dpex-<request>-<n>" (Standard Webhooks' webhook-id)
-- so the receiver can drop a duplicate. The payload holds no subject
-- values: the tracker knows its ticket.
CREATE TABLE dpex.outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	request_id bigint NOT NULL REFERENCES dpex.requests (id),
	n integer NOT NULL,
	event_id text NOT NULL UNIQUE,
	payload jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	delivered_at timestamptz,
	last_error text,
	UNIQUE (request_id, n)
);

CREATE INDEX outbox_pending ON dpex.outbox (next_attempt_at)
	WHERE delivered_at IS NULL;

-- Every change of a request writes its audit entry, its callback and its
-- notifications in the transaction that makes it: if that rolls back, so
-- do they. Workers LISTEN on dpex_queued; waiting clients on dpex_status
-- ("<id> <status>").
CREATE FUNCTION dpex.requests_record() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
	entry dpex.audit;
	old_status text;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		old_status := OLD.status;
		IF NEW.status = OLD.status THEN
			RETURN NULL;
		END IF;
	END IF;
	INSERT INTO dpex.audit (request_id, n, actor, action, old_status,
			new_status, detail, prev_hash, hash)
		VALUES (NEW.id, 1, dpex.actor(),
			CASE WHEN TG_OP = 'INSERT' THEN 'submitted' ELSE 'status' END,
			old_status, NEW.status,
			jsonb_strip_nulls(jsonb_build_object(
				'attempt', NEW.attempt,
				'error', CASE WHEN NEW.status IN ('failed', 'queued')
					THEN NEW.last_error END,
				'systems_searched', CASE WHEN NEW.status = 'ready'
					THEN to_jsonb(NEW.systems_searched) END,
				'archive_sha256', CASE WHEN NEW.status = 'ready'
					THEN NEW.archive_sha256 END)),
			repeat('0', 64), repeat('0', 64))
		RETURNING * INTO entry;
	INSERT INTO dpex.outbox (request_id, n, event_id, payload)
		VALUES (NEW.id, entry.n,
			'dpex-' || NEW.id || '-' || entry.n,
			jsonb_strip_nulls(jsonb_build_object(
				'type', 'request.status',
				'timestamp', to_char(entry.at AT TIME ZONE 'UTC',
					'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
				'data', jsonb_build_object(
					'id', NEW.id, 'tracker', NEW.tracker, 'ref', NEW.ref,
					'kind', NEW.kind, 'status', NEW.status,
					'previous_status', old_status,
					'due_on', coalesce(NEW.extended_due_on,
						NEW.due_on),
					'archive_sha256', CASE WHEN NEW.status IN ('ready',
						'delivered') THEN NEW.archive_sha256 END,
					'archive_bytes', CASE WHEN NEW.status IN ('ready',
						'delivered') THEN NEW.archive_bytes END))));
	PERFORM pg_notify('dpex_status',
		NEW.id || ' ' || NEW.status);
	IF NEW.status = 'queued' THEN
		PERFORM pg_notify('dpex_queued', NEW.id::text);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER requests_record AFTER INSERT OR UPDATE ON dpex.requests
	FOR EACH ROW EXECUTE FUNCTION dpex.requests_record();

-- Workers say they are alive here (dpex queue status lists them).
CREATE TABLE dpex.workers (
	id text PRIMARY KEY,
	host text NOT NULL,
	pid integer NOT NULL,
	concurrency integer NOT NULL,
	started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	heartbeat_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Nobody but the owner may change the trail, whatever the defaults say.
REVOKE ALL ON dpex.audit FROM PUBLIC;
