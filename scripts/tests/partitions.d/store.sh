# Part of the partition checker (scripts/tests/partitions), sourced: the
# store under test, PEB_CLUSTER_STORE (raft by default, exported so that
# the environment library sees it too). The only place of the checker that
# knows which store runs: another store is one more branch of the case,
# defining the same three functions.
#   store_start DIR NODE...         a cluster of NODEs, each node's copy on disc
#                                   in DIR/<name>, started through the
#                                   environment library; sets peb_env_pids
#   store_restart NODE DIR SEED...  a node back after it was killed, with the
#                                   copy DIR holds (none once wiped), joining
#                                   the cluster through the SEEDs
#   store_leader NODE               the node that grants the locks, as NODE sees it

export PEB_CLUSTER_STORE=${PEB_CLUSTER_STORE:-raft}

case $PEB_CLUSTER_STORE in
  mnesia)
    store_start() { peb_env_cluster_start disc "$@"; }
    store_restart() { peb_env_cluster_node "$1" "$2" disc "${@:3}"; }
    store_leader() { part_ctl rpc "$1" peb_session_cluster leader; }
    ;;
  raft)
    # raft_sync none (the store's default, `ram` to the env library): an
    # entry counts once a majority wrote it to its WAL file, unsynced.
    store_start() { peb_env_cluster_start ram "$@"; }
    store_restart() { peb_env_cluster_node "$1" "$2" ram "${@:3}"; }
    # Ra's leader is a server id, {Name, Node}: its node.
    store_leader() { part_ctl rpc "$1" peb_session_raft_node leader | grep -o '[^"]*@[^"]*'; }
    ;;
  *)
    peb_env_err "PEB_CLUSTER_STORE=$PEB_CLUSTER_STORE: no such store in ${BASH_SOURCE[0]}"
    exit 2
    ;;
esac
