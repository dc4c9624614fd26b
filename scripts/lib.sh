# Shared by scripts/demo, scripts/test and the benchmarks: installing what a
# fresh Debian 12 machine lacks, and a private throwaway PostgreSQL cluster.
# Source it; it defines functions and changes nothing by itself.

DPEX_PACKAGES="build-essential pkg-config meson ninja-build libpq-dev \
libzip-dev zlib1g-dev libisal-dev libjansson-dev libssl-dev libcriterion-dev \
postgresql python3 python3-openpyxl python3-psycopg2 python3-jsonschema \
unzip"

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# Installs the Debian packages dpex needs, if any is missing.
ensure_packages() {
	local missing=()
	for p in $DPEX_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})"
	fi
	echo "Installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed"
}

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
	echo "$d"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to an
# unprivileged system user made for it.
PG_OS_USER=dpexpg

as_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		"$@"
	fi
}

# Starts a private cluster in a new temporary directory, listening only on a
# unix socket there, and exports PGHOST, PGPORT, PGUSER and DPEX_PG_DIR.
# pg_stop (or the EXIT trap the caller sets) removes it again.
pg_start() {
	local bin
	bin=$(pg_bindir)
	if [ "$(id -u)" -eq 0 ] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
	fi
	DPEX_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dpex-pg.XXXXXX")
	chmod 755 "$DPEX_PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER" "$DPEX_PG_DIR"
	as_pg_user "$bin/initdb" -D "$DPEX_PG_DIR/data" -U dpex --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$DPEX_PG_DIR/initdb.log" 2>&1 ||
		{ cat "$DPEX_PG_DIR/initdb.log" >&2; die "initdb failed"; }
	# Throwaway data: durability settings off for speed.
	as_pg_user "$bin/pg_ctl" -D "$DPEX_PG_DIR/data" -l "$DPEX_PG_DIR/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$DPEX_PG_DIR' \
-c fsync=off -c full_page_writes=off -c synchronous_commit=off \
-c max_connections=100" start >/dev/null ||
		{ cat "$DPEX_PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
	export DPEX_PG_DIR PGHOST="$DPEX_PG_DIR" PGPORT=5432 PGUSER=dpex
	export PGDATABASE=postgres
}

pg_stop() {
	[ -n "${DPEX_PG_DIR:-}" ] && [ -d "$DPEX_PG_DIR" ] || return 0
	as_pg_user "$(pg_bindir)/pg_ctl" -D "$DPEX_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$DPEX_PG_DIR"
	DPEX_PG_DIR=
}
