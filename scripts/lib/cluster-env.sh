# Sourced after scripts/lib/test-env.sh: start_cluster PREFIX STORAGE DIR starts a
# three-node Mnesia session cluster (<PREFIX>1..3@localhost, short names)
# on 127.0.0.1 under the same private epmd and cookie, formed with the
# documented commands (peb_session:create/1, peb_session:join/2), each
# node's Mnesia directory under DIR. Its pids join test_pids, so that
# stop_test_env stops them; PEB_CLUSTER_PATH is the save path (node 1, the
# lock leader, first). Returns once every node serves.

start_cluster() {
  local prefix=$1 storage=$2 dir=$3 n cmd
  for n in 1 2 3; do
    cmd="peb_session:join('${prefix}1@localhost', $storage)"
    [ "$n" = 1 ] && cmd="peb_session:create($storage)"
    mkdir -p "$dir/$prefix$n"
    erl -sname "$prefix$n@localhost" -setcookie "$PEB_TEST_COOKIE" -noshell -noinput -start_epmd false \
      -kernel inet_dist_use_interface '{127,0,0,1}' -kernel prevent_overlapping_partitions false \
      -pa "$PEB_EBIN" -mnesia dir "\"$dir/$prefix$n\"" -peb_session replication "${PEB_REPLICATION:-sync}" \
      ${PEB_NODE_FLAGS:-} -eval "$cmd" >"$dir/$prefix$n.log" 2>&1 &
    test_pids+=($!)
    [ "$n" = 1 ] && sleep 1
  done
  export PEB_CLUSTER_PATH="${prefix}1@localhost,${prefix}2@localhost,${prefix}3@localhost"
  php -n -d "extension=$PEB_EXTENSION" -r '
    foreach (explode(",", getenv("PEB_CLUSTER_PATH")) as $node) {
        for ($i = 0; $i < 300; $i++) {
            $l = @peb_connect($node, getenv("PEB_TEST_COOKIE"), 1000);
            $r = $l ? @peb_rpc("peb_session", "status", peb_encode("[]", [[]]), $l) : false;
            $s = $r ? peb_decode($r)[0] : null;
            if (is_array($s) && $s["status"] === "ok" && count($s["running"]) === 3
                && in_array($s["copy"] ?? "", ["disc_copies", "ram_copies"], true)) { continue 2; }
            usleep(200000);
        }
        fwrite(STDERR, "cluster node $node did not become ready\n");
        exit(1);
    }'
}
