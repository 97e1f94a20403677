# Part of the environment library (scripts/lib/env.sh): the private epmd,
# Erlang nodes (one command line for every node) and a Mnesia session
# cluster formed with the documented commands.

# --- epmd -------------------------------------------------------------------

peb_env_epmd_names() {
  local epmd
  read -ra epmd <<<"${PEB_EPMD:-epmd}"
  "${epmd[@]}" -port "$ERL_EPMD_PORT" -names 2>/dev/null
}

peb_env_epmd_has() {   # SHORT_NAME
  local names
  names=$(peb_env_epmd_names) || return 1
  [[ $'\n'$names == *$'\n'"name $1 at port "* ]]
}

# Starts the environment's epmd on PORT, or on a free port (another one
# when it was taken meanwhile); exports ERL_EPMD_PORT and ERL_EPMD_ADDRESS.
# An epmd of this environment that runs already is kept. It listens on
# 127.0.0.1 (PEB_NODE_ADDRESS, where scripts/lib/hosts sets one inside a
# namespace of its own), and on the addresses of PEB_EPMD_ADDRESSES too (comma
# separated), where nodes are named after other loopback addresses
# (a@127.0.0.11): a lookup goes to the address in the node's name. One epmd
# serves them all, as epmd always binds 127.0.0.1 too (a second one on the
# same port cannot start) and nodes register with the one on 127.0.0.1.
peb_env_epmd() {   # [PORT]
  local port=${1:-} epmd
  read -ra epmd <<<"${PEB_EPMD:-epmd}"
  export ERL_EPMD_ADDRESS=${PEB_NODE_ADDRESS:-127.0.0.1}
  if [ -n "$port" ] && peb_env_pid_of epmd >/dev/null; then
    export ERL_EPMD_PORT=$port
    return 0
  fi
  for _ in $(seq 10); do
    export ERL_EPMD_PORT=${port:-$(peb_env_port)}
    peb_env_spawn epmd - "-port $ERL_EPMD_PORT" "$PEB_ENV_DIR/logs/epmd.log" \
      "${epmd[@]}" -address "${PEB_NODE_ADDRESS:-127.0.0.1}${PEB_EPMD_ADDRESSES:+,$PEB_EPMD_ADDRESSES}" -port "$ERL_EPMD_PORT"
    for _ in $(seq 50); do
      peb_env_alive "$peb_env_pid" || break
      peb_env_epmd_names >/dev/null && return 0
      sleep 0.1
    done
    peb_env_stop epmd KILL
    [ -z "$port" ] || break
  done
  peb_env_err "epmd did not start (log: $PEB_ENV_DIR/logs/epmd.log)"
}

# --- Ra ---------------------------------------------------------------------

# The ebin dirs of Ra and the libraries it needs (ra, aten,
# gen_batch_server, seshat), which scripts/setup unpacks from Debian's
# rabbitmq-server package into PEB_RA_DIR; space-separated, empty when
# they are not there. A node of the raft store has them on its code path.
peb_env_ra_ebins() {
  local d dirs=()
  for d in "${PEB_RA_DIR:-/var/cache/peb/ra}"/lib/{ra,aten,gen_batch_server,seshat}-[0-9]*/ebin; do
    [ -d "$d" ] && dirs+=("$d")
  done
  echo "${dirs[*]}"
}
: "${PEB_RA_EBINS:=$(peb_env_ra_ebins)}"
export PEB_RA_EBINS

# --- Erlang nodes -----------------------------------------------------------

# The command line of a node (in peb_env_cmd), the same for every node:
# distribution on 127.0.0.1 only (on PEB_NODE_ADDRESS, where scripts/lib/hosts
# sets one inside a network namespace of its own), under the environment's epmd and cookie,
# no shell; idle schedulers do not spin (+sbwt none ...: on a machine
# shared with php-fpm and nginx, spinning takes their CPU). NAME@HOST:
# a long name for a dotted host, else a short one. A HOST that is an IPv4
# address other than 127.0.0.1 (127.0.0.11: one "host" of the partition
# checker, scripts/tests/partitions) is the node's own: it listens there
# and its outgoing distribution connections leave from it, so that a
# firewall rule between two addresses cuts two nodes apart. --stock:
# without peb's modules on the code path.
peb_env_node_cmd() {   # NODE [--stock] [ERL_ARGS...]
  local node=$1 mode=-name erl extra address=${PEB_NODE_ADDRESS:-127.0.0.1} ip own=()
  shift
  ip="{${address//./,}}"
  [[ ${node#*@} == *.* ]] || mode=-sname
  if [[ ${node#*@} =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ && ${node#*@} != 127.0.0.1 ]]; then
    ip="{${node#*@}}" ip=${ip//./,}
    own=(-kernel inet_dist_connect_options "[{ip,$ip}]")
  fi
  read -ra erl <<<"${PEB_ERL:-erl}"
  read -ra extra <<<"${PEB_NODE_FLAGS:-}"
  peb_env_cmd=(env HOME="$PEB_ENV_DIR/erlang" ERL_CRASH_DUMP_SECONDS=0
    ERL_EPMD_ADDRESS="$address" ERL_EPMD_PORT="$ERL_EPMD_PORT"
    "${erl[@]}" "$mode" "$node" -noshell -noinput -start_epmd false
    -kernel inet_dist_use_interface "$ip" "${own[@]}" +sbwt none +sbwtdcpu none +sbwtdio none)
  if [ "${1:-}" = --stock ]; then shift; else peb_env_cmd+=(-pa "$PEB_EBIN"); fi
  peb_env_cmd+=("${extra[@]}" "$@")
}

# Runs a node in the foreground (a command that ends: EUnit, a demo).
peb_env_erl() {   # NODE [--stock] [ERL_ARGS...]
  peb_env_node_cmd "$@"
  "${peb_env_cmd[@]}"
}

# Starts a node; returns once epmd knows it (sets peb_env_pid), or stops
# it and fails. Its output goes to logs/<name>.log, or to --log FILE.
peb_env_node() {   # NODE [--stock] [--log FILE] [ERL_ARGS...]
  local node=$1 short=${1%@*} log stock=() mode=-name
  shift
  log="$PEB_ENV_DIR/logs/$short.log"
  while :; do
    case "${1:-}" in
      --stock) stock=(--stock); shift ;;
      --log) log=$2; shift 2 ;;
      *) break ;;
    esac
  done
  [[ ${node#*@} == *.* ]] || mode=-sname
  peb_env_node_cmd "$node" "${stock[@]}" "$@"
  peb_env_spawn "node-$short" "$short" "$mode $node" "$log" "${peb_env_cmd[@]}"
  for _ in $(seq 200); do
    peb_env_epmd_has "$short" && return 0
    peb_env_alive "$peb_env_pid" || break
    sleep 0.1
  done
  peb_env_stop "node-$short" KILL
  peb_env_err "node $node did not start (log: $log)"
}

# --- a session cluster: Mnesia, or Raft -----------------------------------------

# Starts one node of a cluster, its copy under DIR, formed with the
# documented commands: without SEED it creates the cluster
# (peb_session:create/1), else it joins the seeds (peb_session:join/2).
# PEB_CLUSTER_STORE (raft by default, the store that passes the partition
# checker; mnesia for the Mnesia store): a node of the Raft store has Ra's
# ebins on its code path and its Raft log in DIR/raft;
# and ram|disc choose the log's sync method (none: written to the file
# before it counts; datasync: on disc too).
peb_env_cluster_node() {   # NODE DIR ram|disc [SEED...]
  local node=$1 dir=$2 storage=$3 cmd store=${PEB_CLUSTER_STORE:-raft} kind ebins
  shift 3
  kind=$storage
  [ "$store" != raft ] || kind=raft
  case $# in
    0) cmd="peb_session:create($kind)" ;;
    1) cmd="peb_session:join('$1', $kind)" ;;
    *) cmd="peb_session:join([$(printf "'%s'," "$@" | sed 's/,$//')], $kind)" ;;
  esac
  mkdir -p "$dir"
  if [ "$store" = raft ]; then
    read -ra ebins <<<"$PEB_RA_EBINS"
    ((${#ebins[@]})) || { peb_env_err "the raft store needs Ra's beams (scripts/setup)"; return 1; }
    local sync=none
    [ "$storage" != disc ] || sync=datasync
    peb_env_node "$node" -kernel prevent_overlapping_partitions false -pa "${ebins[@]}" \
      -peb_session raft_dir "\"$dir/raft\"" -peb_session raft_sync "${PEB_RAFT_SYNC:-$sync}" -eval "$cmd"
  else
    peb_env_node "$node" -kernel prevent_overlapping_partitions false -mnesia dir "\"$dir\"" \
      -peb_session replication "${PEB_REPLICATION:-sync}" -eval "$cmd"
  fi
}

# Starts a cluster: the first node creates it, the others join the first;
# each node's copy in BASEDIR/<name>. Sets peb_env_pids (in NODE order).
peb_env_cluster_start() {   # ram|disc BASEDIR NODE...
  local storage=$1 base=$2 first=$3 n
  shift 2
  peb_env_pids=()
  for n in "$@"; do
    if [ "$n" = "$first" ]; then
      peb_env_cluster_node "$n" "$base/${n%@*}" "$storage" || return
    else
      peb_env_cluster_node "$n" "$base/${n%@*}" "$storage" "$first" || return
    fi
    peb_env_pids+=("$peb_env_pid")
  done
}

# Returns once every node serves: peb_session:status/0 answers ok, sees all
# of them running, and the node holds a copy of its own.
peb_env_cluster_wait() {   # NODE...
  local tls=()
  # PEB_TLS_DIR: the nodes speak TLS distribution with the set there (env/tls.sh).
  [ -z "${PEB_TLS_DIR:-}" ] || tls=(-d peb.tls=1 -d "peb.tls_cafile=$PEB_TLS_DIR/ca.pem"
    -d "peb.tls_certfile=$PEB_TLS_DIR/client.pem" -d "peb.tls_keyfile=$PEB_TLS_DIR/client.key")
  PEB_TEST_COOKIE=$(peb_env_cookie) php -n -d "extension=$PEB_EXTENSION" "${tls[@]}" "$peb_env_lib/php/serving.php" "$@" \
    || peb_env_err "the cluster did not form (logs in $PEB_ENV_DIR/logs)"
}

# A cluster that serves; exports PEB_CLUSTER_PATH (the save path, first node first).
peb_env_cluster() {   # ram|disc BASEDIR NODE...
  peb_env_cluster_start "$@" || return
  shift 2
  peb_env_cluster_wait "$@" || return
  export PEB_CLUSTER_PATH
  PEB_CLUSTER_PATH=$(IFS=,; echo "$*")
}
