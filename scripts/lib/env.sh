# The environment library, sourced: the one place that starts and stops
# the servers peb runs against (epmd, Erlang nodes, a Mnesia cluster,
# php-fpm, nginx), renders their configs (scripts/lib/conf/) and finds
# free ports; its parts are in scripts/lib/env/ (ports, processes, Erlang,
# web, TLS, the store's release). scripts/lib/peb-env is its command line (for PHP).
# Everything listens on 127.0.0.1 (or a unix socket) only, but nodes named
# after another loopback address (a@127.0.0.11, in the partition checker's
# network namespace) and, for them, epmd (PEB_EPMD_ADDRESSES, erlang.sh).
# Safe under `set -euo pipefail`: a function fails only when what it was asked failed.
#
# An environment is a directory, $PEB_ENV_DIR (peb_env_init):
#   erlang/.erlang.cookie  the random cookie; nodes read it as
#                          $HOME/.erlang.cookie, so that it is on no command line
#   pids/NAME              one per server started: "PID EPMD_NAME MARKER"
#   logs/                  the servers' output
# A server is started detached (its own session: no terminal signal
# reaches it), recorded, and stopped by pid (peb_env_stop, peb_env_stop_all),
# only while its command line still holds its marker (a pid can be reused).
#
# PEB_ERL, PEB_EPMD: the erl and epmd commands (erl, epmd); a wrapper must
# exec erl (the pid started is the node's) and see $HOME and the -pa dirs.
# PEB_NODE_FLAGS: more emulator flags for every node (TLS distribution:
# env/tls.sh). PEB_NODE_ADDRESS: the IPv4 address epmd and nodes listen on
# (127.0.0.1; scripts/lib/hosts gives each namespace host its own). PEB_REPLICATION: a
# cluster's replication (sync, the default, or async). PEB_EBIN, PEB_EXTENSION:
# the compiled erlang/ modules and the built extension (the repo's by default).

peb_env_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peb_env_repo="$(dirname "$(dirname "$peb_env_lib")")"
: "${PEB_EBIN:=$peb_env_repo/target/erlang/ebin}" "${PEB_EXTENSION:=$peb_env_repo/target/release/libpeb.so}"

peb_env_err() { echo "peb-env: $*" >&2; return 1; }

# --- the environment's directory and cookie ---------------------------------

# Makes (or reuses) an environment; a new one gets a new random cookie.
peb_env_init() {   # DIR
  export PEB_ENV_DIR=$1
  mkdir -p "$1/pids" "$1/logs" "$1/erlang" || return
  chmod 700 "$1/erlang"
  local c="$1/erlang/.erlang.cookie"
  if [ ! -s "$c" ]; then
    rm -f "$c"
    (umask 077 && printf 'c%s' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$c")
    chmod 400 "$c"
  fi
}

peb_env_cookie() { cat "$PEB_ENV_DIR/erlang/.erlang.cookie"; }

# --- the parts ----------------------------------------------------------------

. "$peb_env_lib/env/ports.sh"
. "$peb_env_lib/env/procs.sh"
. "$peb_env_lib/env/erlang.sh"
. "$peb_env_lib/env/web.sh"
. "$peb_env_lib/env/tls.sh"
. "$peb_env_lib/env/release.sh"
