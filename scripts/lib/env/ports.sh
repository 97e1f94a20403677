# Part of the environment library (scripts/lib/env.sh): free ports on
# 127.0.0.1, and waiting until a server listens on one.

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
