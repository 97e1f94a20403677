# Sourced by scripts/test and the scripts that run against a node (faults,
# bench, dev tools): an environment of the library (scripts/lib/env.sh) in
# a temp dir, its private epmd and a stock Erlang node for the tests, on
# 127.0.0.1 only, with a random cookie; on exit every server started in it
# (by these scripts or by the tests, through scripts/lib/peb-env) is
# stopped by pid, and the dir removed. Exports what the tests read:
# ERL_EPMD_PORT, PEB_ENV_DIR, PEB_TEST_NODE, PEB_TEST_COOKIE, PEB_EBIN
# (compiled erlang/ modules), PEB_EXTENSION (the built library).
# start_cluster PREFIX ram|disc DIR: a three-node cluster beside it
# (<PREFIX>1..3@localhost), serving; exports PEB_CLUSTER_PATH.

. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export PEB_EBIN PEB_EXTENSION
peb_env_init "$(mktemp -d "${TMPDIR:-/tmp}/peb-env.XXXXXX")"
PEB_TEST_COOKIE=$(peb_env_cookie)
export PEB_TEST_COOKIE PEB_TEST_NODE="pebtest_$$@127.0.0.1"

stop_test_env() {
  peb_env_stop_all
  rm -rf "$PEB_ENV_DIR"
}
trap stop_test_env EXIT

start_cluster() {   # PREFIX ram|disc DIR
  peb_env_cluster "$2" "$3" "${1}1@localhost" "${1}2@localhost" "${1}3@localhost"
}

# The node registers with epmd before its -eval runs: the tests start once
# it said that session_handler and peb_echo run.
test_node_ready() {
  local log="$PEB_ENV_DIR/logs/${PEB_TEST_NODE%@*}.log"
  for _ in $(seq 200); do
    grep -q '^peb-env: ready$' "$log" 2>/dev/null && return 0
    peb_env_alive "$peb_env_pid" || break
    sleep 0.1
  done
  peb_env_err "the test node did not start its servers (log: $log)"
}

peb_env_epmd && peb_env_node "$PEB_TEST_NODE" \
  -eval 'session_handler:start(), peb_echo:start(), io:format("peb-env: ready~n")' && test_node_ready
