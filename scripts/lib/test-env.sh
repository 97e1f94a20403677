# Sourced by scripts/test: a private epmd and a stock Erlang node for the
# tests, on 127.0.0.1 only, with a random cookie; both stopped by pid on exit.
# Exports what the tests read: ERL_EPMD_PORT, PEB_TEST_NODE, PEB_TEST_COOKIE,
# PEB_EBIN (compiled erlang/ modules), PEB_EXTENSION (the built library).
# PEB_NODE_FLAGS, when set, adds emulator flags to the node (bench/run uses it).

export ERL_EPMD_PORT=$((20000 + RANDOM % 20000))
export ERL_EPMD_ADDRESS=127.0.0.1
export PEB_TEST_COOKIE="c$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export PEB_TEST_NODE="pebtest_$$@127.0.0.1"
export PEB_EBIN="$(pwd)/erlang/ebin"
export PEB_EXTENSION="$(pwd)/target/release/libpeb.so"
export ERL_CRASH_DUMP_SECONDS=0

test_pids=()
# A node ignores SIGTERM while it boots: after 5 s, SIGKILL.
stop_test_env() {
  for p in "${test_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for p in "${test_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1 || true; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for p in "${test_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
trap stop_test_env EXIT

# A random port may be taken (the machine is shared): another one then.
for _ in $(seq 10); do
  epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT" >/dev/null 2>&1 &
  epmd_pid=$!
  for _ in $(seq 50); do
    kill -0 "$epmd_pid" 2>/dev/null || break
    epmd -port "$ERL_EPMD_PORT" -names >/dev/null 2>&1 && break
    sleep 0.1
  done
  if kill -0 "$epmd_pid" 2>/dev/null; then
    test_pids+=("$epmd_pid")
    break
  fi
  wait "$epmd_pid" 2>/dev/null || true
  export ERL_EPMD_PORT=$((20000 + RANDOM % 20000))
done

# `erl` execs beam.smp, so $! is the node's own pid.
erl -name "$PEB_TEST_NODE" -setcookie "$PEB_TEST_COOKIE" -noshell -noinput -start_epmd false \
  -kernel inet_dist_use_interface '{127,0,0,1}' -pa "$PEB_EBIN" \
  -eval 'session_handler:start(), peb_echo:start()' ${PEB_NODE_FLAGS:-} >/dev/null 2>&1 &
test_pids+=($!)
for _ in $(seq 100); do
  epmd -port "$ERL_EPMD_PORT" -names 2>/dev/null | grep -q "name ${PEB_TEST_NODE%@*} " && break
  sleep 0.1
done
