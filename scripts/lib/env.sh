# The environment library, sourced: the one place that starts and stops
# the servers peb runs against (epmd, Erlang nodes, a Mnesia cluster,
# php-fpm, nginx), renders their configs (scripts/lib/conf/) and finds
# free ports. scripts/lib/peb-env is its command line (for PHP).
# Everything listens on 127.0.0.1 (or a unix socket) only. Safe under
# `set -euo pipefail`: a function fails only when what it was asked failed.
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
# PEB_NODE_FLAGS: more emulator flags for every node. PEB_REPLICATION: a
# cluster's replication (sync, the default, or async). PEB_EBIN, PEB_EXTENSION:
# the compiled erlang/ modules and the built extension (the repo's by default).

peb_env_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peb_env_repo="$(dirname "$(dirname "$peb_env_lib")")"
: "${PEB_EBIN:=$peb_env_repo/erlang/ebin}" "${PEB_EXTENSION:=$peb_env_repo/target/release/libpeb.so}"

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

# --- ports ------------------------------------------------------------------

peb_env_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: random below Linux's ephemeral range (32768-60999, where
# outgoing connections take theirs), not listening, and not handed out
# before in this environment.
peb_env_port() {
  local p given="${PEB_ENV_DIR:+$PEB_ENV_DIR/ports}"
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    peb_env_listening "$p" && continue
    if [ -n "$given" ]; then
      grep -qx "$p" "$given" 2>/dev/null && continue
      echo "$p" >>"$given"
    fi
    echo "$p"
    return 0
  done
  peb_env_err "no free port found"
}

# Waits until something listens on PORT, while PID runs.
peb_env_wait_port() {   # PORT PID WHAT
  for _ in $(seq 300); do
    peb_env_listening "$1" && return 0
    peb_env_alive "$2" || break
    sleep 0.1
  done
  peb_env_err "$3 did not start (logs in $PEB_ENV_DIR/logs)"
}

# --- processes --------------------------------------------------------------

# Runs and is not a zombie (an orphan's parent may never reap it).
peb_env_alive() {
  kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

peb_env_children() {   # PID -> the pids whose parent it is
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{ pid = $1; sub(/^.*\) /, ""); if ($2 == p) print pid }'
}

# Starts a server detached, its output appended to LOG, recorded as NAME;
# sets peb_env_pid. EPMD_NAME: the name it registers with epmd (or -).
# MARKER: a string of its command line (after any exec) that says it is ours.
peb_env_spawn() {   # NAME EPMD_NAME MARKER LOG COMMAND...
  local name=$1 ename=$2 marker=$3 log=$4
  shift 4
  mkdir -p "$(dirname "$log")"
  # In a script (no job control) setsid execs in place: $! is the server's pid.
  setsid "$@" </dev/null >>"$log" 2>&1 &
  peb_env_pid=$!
  echo "$peb_env_pid $ename $marker" >"$PEB_ENV_DIR/pids/$name"
}

# The record of a server, by name or by pid.
peb_env_record() {   # NAME|PID -> its file
  local f pid
  if [ -f "$PEB_ENV_DIR/pids/$1" ]; then echo "$PEB_ENV_DIR/pids/$1"; return 0; fi
  for f in "$PEB_ENV_DIR"/pids/*; do
    [ -f "$f" ] && read -r pid _ <"$f" && [ "$pid" = "$1" ] && { echo "$f"; return 0; }
  done
  return 1
}

# The pid of a recorded server, while it runs and is still ours.
peb_env_pid_of() {   # NAME|PID
  local f pid ename marker cmd
  f=$(peb_env_record "$1") || return 1
  read -r pid ename marker <"$f"
  peb_env_alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$marker"* ]] || return 1
  echo "$pid"
}

# Stops a recorded server: SIGNAL (TERM; QUIT for nginx), repeated every
# 0.5 s (a booting node ignores SIGTERM), then after 5 s SIGKILL for its
# children and for it; waits until it is gone and epmd forgot its name.
peb_env_stop() {   # NAME|PID [SIGNAL]
  local f pid ename marker sig=${2:-TERM} i k
  f=$(peb_env_record "$1") || return 0
  read -r pid ename marker <"$f"
  if peb_env_pid_of "$pid" >/dev/null; then
    for i in $(seq 0 49); do
      [ $((i % 5)) -ne 0 ] || kill "-$sig" "$pid" 2>/dev/null || true
      peb_env_alive "$pid" || break
      sleep 0.1
    done
    if peb_env_alive "$pid"; then
      for k in $(peb_env_children "$pid"); do kill -9 "$k" 2>/dev/null || true; done
      kill -9 "$pid" 2>/dev/null || true
      for _ in $(seq 50); do peb_env_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  wait "$pid" 2>/dev/null || true   # reaped, when it is this shell's child
  if [ "$ename" != - ]; then
    for _ in $(seq 100); do peb_env_epmd_has "$ename" || break; sleep 0.05; done
  fi
  rm -f "$f"
}

# Stops every server of the environment, all at once.
peb_env_stop_all() {
  local f p stoppers=()
  for f in "$PEB_ENV_DIR"/pids/*; do
    [ -f "$f" ] || continue
    peb_env_stop "${f##*/}" &
    stoppers+=("$!")
  done
  for p in "${stoppers[@]}"; do wait "$p" || true; done
}

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
# An epmd of this environment that runs already is kept.
peb_env_epmd() {   # [PORT]
  local port=${1:-} epmd
  read -ra epmd <<<"${PEB_EPMD:-epmd}"
  export ERL_EPMD_ADDRESS=127.0.0.1
  if [ -n "$port" ] && peb_env_pid_of epmd >/dev/null; then
    export ERL_EPMD_PORT=$port
    return 0
  fi
  for _ in $(seq 10); do
    export ERL_EPMD_PORT=${port:-$(peb_env_port)}
    peb_env_spawn epmd - "-port $ERL_EPMD_PORT" "$PEB_ENV_DIR/logs/epmd.log" \
      "${epmd[@]}" -address 127.0.0.1 -port "$ERL_EPMD_PORT"
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

# --- Erlang nodes -----------------------------------------------------------

# The command line of a node (in peb_env_cmd), the same for every node:
# distribution on 127.0.0.1 only, under the environment's epmd and cookie,
# no shell; idle schedulers do not spin (+sbwt none ...: on a machine
# shared with php-fpm and nginx, spinning takes their CPU). NAME@HOST:
# a long name for a dotted host, else a short one. --stock: without
# peb's modules on the code path.
peb_env_node_cmd() {   # NODE [--stock] [ERL_ARGS...]
  local node=$1 mode=-name erl extra
  shift
  [[ ${node#*@} == *.* ]] || mode=-sname
  read -ra erl <<<"${PEB_ERL:-erl}"
  read -ra extra <<<"${PEB_NODE_FLAGS:-}"
  peb_env_cmd=(env HOME="$PEB_ENV_DIR/erlang" ERL_CRASH_DUMP_SECONDS=0
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$ERL_EPMD_PORT"
    "${erl[@]}" "$mode" "$node" -noshell -noinput -start_epmd false
    -kernel inet_dist_use_interface '{127,0,0,1}' +sbwt none +sbwtdcpu none +sbwtdio none)
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

# --- a Mnesia session cluster -------------------------------------------------

# Starts one node of a cluster, its copy under DIR, formed with the
# documented commands: without SEED it creates the cluster
# (peb_session:create/1), else it joins the seeds (peb_session:join/2).
peb_env_cluster_node() {   # NODE DIR ram|disc [SEED...]
  local node=$1 dir=$2 storage=$3 cmd
  shift 3
  case $# in
    0) cmd="peb_session:create($storage)" ;;
    1) cmd="peb_session:join('$1', $storage)" ;;
    *) cmd="peb_session:join([$(printf "'%s'," "$@" | sed 's/,$//')], $storage)" ;;
  esac
  mkdir -p "$dir"
  peb_env_node "$node" -kernel prevent_overlapping_partitions false -mnesia dir "\"$dir\"" \
    -peb_session replication "${PEB_REPLICATION:-sync}" -eval "$cmd"
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
  PEB_TEST_COOKIE=$(peb_env_cookie) php -n -d "extension=$PEB_EXTENSION" "$peb_env_lib/php/serving.php" "$@" \
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

# --- php-fpm and nginx ------------------------------------------------------

# Prints scripts/lib/conf/TEMPLATE with each @KEY@ replaced by its VALUE.
peb_env_render() {   # TEMPLATE KEY=VALUE...
  local text kv
  text=$(<"$peb_env_lib/conf/$1")
  shift
  for kv in "$@"; do text=${text//"@${kv%%=*}@"/"${kv#*=}"}; done
  printf '%s\n' "$text"
}

# As root, the servers run as root (the configs' @USER@ lines).
peb_env_as_root() { [ "$(id -u)" -eq 0 ]; }

# The php-fpm of the PHP the extension is built for (php's own version,
# whatever 8.X it is), looked up when asked: after setup installed it. The
# sbin dirs too: a user's PATH may lack them.
peb_env_fpm_bin() {
  local v b d
  v=$(php -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;' 2>/dev/null)
  for b in ${v:+"php-fpm$v"} php-fpm; do
    for d in $(tr : ' ' <<<"$PATH") /usr/local/sbin /usr/sbin /sbin; do
      [ -x "$d/$b" ] && { echo "$d/$b"; return 0; }
    done
  done
  peb_env_err "php-fpm not found (for PHP ${v:-?})"
}

# The conf.d the distribution gives that php-fpm (extensions, settings).
peb_env_fpm_confd() {   # FPM_BIN
  env -u PHP_INI_SCAN_DIR "$1" -i 2>/dev/null | sed -n 's/^Scan this dir for additional \.ini files => //p'
}

# Starts a php-fpm master in the foreground of its own session with CONF
# (rendered from conf/fpm.conf) and ARGS; sets peb_env_pid. The caller
# waits until it serves (a port, a socket).
peb_env_fpm() {   # NAME CONF [ARGS...]
  local name=$1 conf=$2 fpm root=()
  shift 2
  fpm=$(peb_env_fpm_bin) || return
  peb_env_as_root && root=(-R)
  peb_env_spawn "$name" - "$conf" "$PEB_ENV_DIR/logs/$name.log" "$fpm" -F "${root[@]}" -y "$conf" "$@"
}

# Starts nginx with CONF (rendered from conf/nginx.conf), its prefix the
# conf's dir; sets peb_env_pid.
peb_env_nginx() {   # NAME CONF ERROR_LOG
  local dir
  dir=$(dirname "$2")
  peb_env_spawn "$1" - "$2" "$PEB_ENV_DIR/logs/$1.log" nginx -e "$3" -p "$dir/" -c "$2"
}
