# Part of the partition checker (scripts/tests/partitions), sourced: the
# faults, made for real inside the checker's network namespace, where each
# node is one host (one loopback address, its distribution connections
# leaving from it: scripts/lib/env/erlang.sh). A cut between two hosts is
# a pair of nftables rules that answer each one's TCP packets to the other
# with a reset (both ways), so that established connections drop at their
# next packet and new ones are refused at once, as with a firewall rule.
# Resets themselves pass, or the sender would never learn. Healing removes
# the rules and has the nodes connect again (nothing else would make
# Erlang nodes meet again after a partition). Each fault and heal is
# logged in $run/events.jsonl for check.php.

part_table=peb_partitions

part_host() { echo "${1#*@}"; }

part_event() {   # fault|heal [partition|stop MINORITY_NODE...]
  local what=$1 kind=${2:-} list=
  [ $# -lt 3 ] || list=$(printf '"%s",' "${@:3}")
  printf '{"t":%s,"what":"%s","partition":%s,"minority":[%s]}\n' "$(now_us)" "$what" \
    "$([ "$kind" = partition ] && echo true || echo false)" "${list%,}" >>"$run/events.jsonl"
}

nemesis_init() {
  nft add table inet "$part_table" &&
    nft add chain inet "$part_table" cut '{ type filter hook input priority 0; policy accept; }' &&
    nft add rule inet "$part_table" cut tcp flags rst accept
}

# Cuts the link between two nodes' hosts, both ways.
nemesis_cut() {   # NODE NODE
  local a b
  a=$(part_host "$1") b=$(part_host "$2")
  nft add rule inet "$part_table" cut ip saddr "$a" ip daddr "$b" meta l4proto tcp reject with tcp reset &&
    nft add rule inet "$part_table" cut ip saddr "$b" ip daddr "$a" meta l4proto tcp reject with tcp reset
}

# Cuts NODE from every other node (the PHP workers still reach it).
nemesis_isolate() {   # NODE
  local n
  for n in "${nodes[@]}"; do [ "$n" = "$1" ] || nemesis_cut "$1" "$n"; done
}

nemesis_heal() {
  nft flush chain inet "$part_table" cut && nft add rule inet "$part_table" cut tcp flags rst accept
  part_ctl connect "${nodes[@]}"
}

part_node_pid() { peb_env_pid_of "node-${1%@*}"; }

nemesis_pause() { kill -STOP "$(part_node_pid "$1")"; }
nemesis_resume() { kill -CONT "$(part_node_pid "$1")"; }

# Every node paused goes on (before anything stops it: a stopped node ignores SIGTERM).
nemesis_resume_all() {
  local n pid
  for n in "${nodes[@]}"; do
    pid=$(part_node_pid "$n") && kill -CONT "$pid" 2>/dev/null
  done
  return 0
}

nemesis_kill() { peb_env_stop "node-${1%@*}" KILL; }
