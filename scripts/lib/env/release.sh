# Part of the environment library (scripts/lib/env.sh): a store node run
# from the store's rebar3 release (erlang/rebar.config; scripts/setup
# builds it into erlang/_build/default/rel/peb_session_store), the way the
# packaged service runs it (`bin/peb_session_store foreground`), but under
# the environment: its vm.args rendered into the environment's dir (the
# node's name, loopback only, the environment's epmd, PEB_NODE_FLAGS for
# TLS), its cookie $HOME/.erlang.cookie (never on a command line).

peb_env_release="${PEB_RELEASE:-$peb_env_repo/erlang/_build/default/rel/peb_session_store}"

# The release's vm.args with the node's name and the environment's flags.
peb_env_release_vm_args() {   # NODE FILE
  local node=$1 mode=-name flag
  [[ ${node#*@} == *.* ]] || mode=-sname
  {
    grep -v '^-name\|^-sname' "$peb_env_repo/erlang/config/vm.args"
    echo "$mode $node"
    # The environment's epmd runs already; distribution on its address only.
    echo "-start_epmd false"
    echo "-kernel inet_dist_use_interface {${PEB_NODE_ADDRESS:-127.0.0.1}}" | tr . ,
    for flag in ${PEB_NODE_FLAGS:-}; do printf '%s ' "$flag"; done
    echo
  } >"$2"
}

# Starts the release as NODE; returns once epmd knows it (sets
# peb_env_pid), or stops it and fails. The store (ETS, sys.config) starts
# with the node.
peb_env_release_node() {   # NODE
  local node=$1 short=${1%@*} vm mode=-name
  [ -x "$peb_env_release/bin/peb_session_store" ] ||
    { peb_env_err "no release at $peb_env_release (scripts/setup builds it with rebar3)"; return 1; }
  [[ ${node#*@} == *.* ]] || mode=-sname
  mkdir -p "$PEB_ENV_DIR/release"
  vm="$PEB_ENV_DIR/release/$short.vm.args"
  peb_env_release_vm_args "$node" "$vm"
  peb_env_spawn "node-$short" "$short" "$mode $node" "$PEB_ENV_DIR/logs/$short.log" \
    env HOME="$PEB_ENV_DIR/erlang" ERL_CRASH_DUMP_SECONDS=0 \
    ERL_EPMD_ADDRESS="${PEB_NODE_ADDRESS:-127.0.0.1}" ERL_EPMD_PORT="$ERL_EPMD_PORT" \
    VMARGS_PATH="$vm" "$peb_env_release/bin/peb_session_store" foreground
  for _ in $(seq 200); do
    peb_env_epmd_has "$short" && return 0
    peb_env_alive "$peb_env_pid" || break
    sleep 0.1
  done
  peb_env_stop "node-$short" KILL
  peb_env_err "release node $node did not start (log: $PEB_ENV_DIR/logs/$short.log)"
}
