#!/usr/bin/env bash
# Starts PostgreSQL the way the official postgres image does, for what learners do with it:
# - on an empty data directory, requires POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust), then runs
#   initdb with POSTGRES_USER (default postgres) and POSTGRES_INITDB_ARGS, allows password logins from any
#   address, creates POSTGRES_DB (default: the user's name) and runs /docker-entrypoint-initdb.d/*;
# - each of those variables can instead be read from a file named by <VARIABLE>_FILE (Docker secrets);
# - `docker run postgres -c key=value` passes the options to the server, which runs in the foreground as
#   user postgres.
set -Eeo pipefail

# Sets VARIABLE from VARIABLE or from the file VARIABLE_FILE names, else to DEFAULT.
read_setting() {
	local name="$1" default="${2:-}"
	local file_name="${name}_FILE"
	if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then
		echo >&2 "error: both $name and $file_name are set (but are exclusive)"
		exit 1
	fi
	local value="$default"
	if [ -n "${!name:-}" ]; then
		value="${!name}"
	elif [ -n "${!file_name:-}" ]; then
		value="$(< "${!file_name}")"
	fi
	export "$name"="$value"
	unset "$file_name"
}

# True when the arguments only ask postgres for help or its version: nothing to set up for that.
asks_for_information() {
	local argument
	for argument; do
		case "$argument" in
			-'?'|--help|--describe-config|-V|--version) return 0 ;;
		esac
	done
	return 1
}

# The official image's message, word for word: tutorials and learners search for it.
refuse_without_password() {
	cat >&2 <<-'EOE'
		Error: Database is uninitialized and superuser password is not specified.
		       You must specify POSTGRES_PASSWORD to a non-empty value for the
		       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

		       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
		       connections without a password. This is *not* recommended.

		       See PostgreSQL documentation about "trust":
		       https://www.postgresql.org/docs/current/auth-trust.html
	EOE
	exit 1
}

warn_about_trust() {
	cat >&2 <<-'EOW'
		********************************************************************************
		WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
		         anyone with access to the Postgres port to access your database without
		         a password, even if POSTGRES_PASSWORD is set.
		         It is not recommended: use "-e POSTGRES_PASSWORD=password" instead.
		********************************************************************************
	EOW
}

# Creates the data and socket directories and, as root, hands them to postgres (also after `-v dir:...`).
prepare_directories() {
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 00700 "$PGDATA" || :
	chmod 03775 /var/run/postgresql || :
	if [ "$(id -u)" = 0 ]; then
		find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
	fi
}

# psql as the superuser over the Unix socket, stopping at the first error.
run_sql() {
	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

initialise_database() {
	# --pwfile refuses an empty file, hence the newline. POSTGRES_INITDB_ARGS is split into words on purpose.
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS

	# Connections from outside the container use the server's password hashing (scram-sha-256) unless told otherwise.
	local auth
	auth="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption "${@:2}")}"
	printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"

	# A server on the Unix socket only, so nothing connects before the setup is complete.
	export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
	PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "${@:2}" -c listen_addresses='' -p "${PGPORT:-5432}")" -w start

	if [ -z "$(run_sql --dbname postgres --tuples-only --set db="$POSTGRES_DB" <<< "SELECT 1 FROM pg_database WHERE datname = :'db';")" ]; then
		run_sql --dbname postgres --set db="$POSTGRES_DB" <<< 'CREATE DATABASE :"db";'
	fi
	local file
	for file in /docker-entrypoint-initdb.d/*; do
		case "$file" in
			*.sh) echo "$0: running $file"; if [ -x "$file" ]; then "$file"; else . "$file"; fi ;;
			*.sql) echo "$0: running $file"; run_sql --dbname "$POSTGRES_DB" -f "$file" ;;
			*.sql.gz) echo "$0: running $file"; gunzip -c "$file" | run_sql --dbname "$POSTGRES_DB" ;;
			*/\*) ;;
			*) echo "$0: ignoring $file" ;;
		esac
	done

	PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	printf '\nPostgreSQL init process complete; ready for start up.\n\n'
}

main() {
	# `docker run postgres -c shared_buffers=256MB`: options alone mean the server.
	if [ "${1:0:1}" = '-' ]; then
		set -- postgres "$@"
	fi

	if [ "$1" = postgres ] && ! asks_for_information "$@"; then
		read_setting POSTGRES_PASSWORD
		read_setting POSTGRES_USER postgres
		read_setting POSTGRES_DB "$POSTGRES_USER"
		read_setting POSTGRES_INITDB_ARGS
		prepare_directories
		if [ "$(id -u)" = 0 ]; then
			exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
		fi

		if [ -s "$PGDATA/PG_VERSION" ]; then
			printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
		else
			if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
				refuse_without_password
			fi
			if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
				warn_about_trust
			fi
			initialise_database "$@"
		fi
	fi

	exec "$@"
}

main "$@"
