# Part of the environment library (scripts/lib/env.sh): servers started
# detached, recorded in the environment's pids/, stopped by pid.

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
