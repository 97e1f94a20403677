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

# The release's sys.config for a member of a Raft cluster: its Raft log in
# DIR/raft, synced as SYNC (none or datasync), joining the SEEDs (none:
# it creates the cluster), as peb_session:create(raft) and join/2 set it.
peb_env_release_raft_config() {   # FILE DIR SYNC [SEED...]
  local file=$1 dir=$2 sync=$3 seeds=""
  shift 3
  [ $# -eq 0 ] || seeds=$(printf "'%s'," "$@" | sed 's/,$//')
  sed -e 's#{store, ets}#{store, raft}#' -e "s#{join, \[\]}#{join, [$seeds]}#" \
    -e "s#{raft_dir, \"[^\"]*\"}#{raft_dir, \"$dir/raft\"}#" -e "s#{raft_sync, none}#{raft_sync, $sync}#" \
    -e "s#{dir, \"[^\"]*\"}#{dir, \"$dir/mnesia\"}#" "$peb_env_repo/erlang/config/sys.config" >"$file"
}

# Starts the release as a member of a Raft cluster (the config above), with
# Ra's libraries, which the release does not bundle, through ERL_LIBS (and
# interactive code loading, so that they are found).
peb_env_release_raft_node() {   # NODE DIR SYNC [SEED...]
  local node=$1 dir=$2 ebins
  read -ra ebins <<<"$PEB_RA_EBINS"
  ((${#ebins[@]})) || { peb_env_err "the raft store needs Ra's beams (scripts/setup)"; return 1; }
  mkdir -p "$dir" "$PEB_ENV_DIR/release"
  peb_env_release_raft_config "$PEB_ENV_DIR/release/${node%@*}.sys.config" "${@:2}"
  RELX_CONFIG_PATH="$PEB_ENV_DIR/release/${node%@*}.sys.config" \
    ERL_LIBS="$(dirname "$(dirname "${ebins[0]}")")" CODE_LOADING_MODE=interactive \
    peb_env_release_node "$node"
}

# Starts the release as NODE; returns once epmd knows it (sets
# peb_env_pid), or stops it and fails. The store (ETS, sys.config) starts
# with the node. RELX_CONFIG_PATH, ERL_LIBS, CODE_LOADING_MODE: passed on
# when set (a cluster member's sys.config and Ra).
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
    VMARGS_PATH="$vm" ${RELX_CONFIG_PATH:+RELX_CONFIG_PATH="$RELX_CONFIG_PATH"} \
    ${ERL_LIBS:+ERL_LIBS="$ERL_LIBS"} ${CODE_LOADING_MODE:+CODE_LOADING_MODE="$CODE_LOADING_MODE"} \
    "$peb_env_release/bin/peb_session_store" foreground
  for _ in $(seq 200); do
    peb_env_epmd_has "$short" && return 0
    peb_env_alive "$peb_env_pid" || break
    sleep 0.1
  done
  peb_env_stop "node-$short" KILL
  peb_env_err "release node $node did not start (log: $PEB_ENV_DIR/logs/$short.log)"
}
