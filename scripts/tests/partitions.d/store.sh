# Part of the partition checker (scripts/tests/partitions), sourced: the
# store under test, PEB_CLUSTER_STORE (mnesia by default, exported so that
# the environment library sees it too). The only place of the checker that
# knows which store runs: another store is one branch in each case.

export PEB_CLUSTER_STORE=${PEB_CLUSTER_STORE:-mnesia}

store_unknown() { peb_env_err "PEB_CLUSTER_STORE=$PEB_CLUSTER_STORE: no such store in ${BASH_SOURCE[0]}"; }

# A cluster of NODEs, each node's copy on disc in DIR/<name>; sets peb_env_pids.
store_start() {   # DIR NODE...
  case $PEB_CLUSTER_STORE in
    mnesia) peb_env_cluster_start disc "$@" ;;
    *) store_unknown ;;
  esac
}

# A node back after it was killed, with the copy DIR holds (none once
# wiped), joining the cluster through the SEEDs.
store_restart() {   # NODE DIR SEED...
  case $PEB_CLUSTER_STORE in
    mnesia) peb_env_cluster_node "$1" "$2" disc "${@:3}" ;;
    *) store_unknown ;;
  esac
}

# The node that leads (grants the locks), as NODE sees it.
store_leader() {   # NODE
  case $PEB_CLUSTER_STORE in
    mnesia) php -n -d "extension=$PEB_EXTENSION" "$part_lib/ctl.php" rpc "$1" peb_session_cluster leader ;;
    *) store_unknown ;;
  esac
}
