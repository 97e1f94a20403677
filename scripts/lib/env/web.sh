# Part of the environment library (scripts/lib/env.sh): php-fpm and nginx,
# their configs rendered from the templates in scripts/lib/conf/.

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
