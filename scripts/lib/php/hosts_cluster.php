<?php
// scripts/lib/hosts' PHP side for the cluster across store hosts, run inside
// a web host's namespace (TLS and the cookie from php.ini and
// PEB_TEST_COOKIE); one command per run, one line out:
//   cycle PATH ID VALUE   a session cycle through the save path PATH: true|false
//   read NODE ID          what NODE's store holds for ID
//   status NODE...        each node: its status and how many nodes it sees running
//   connect NODE PEER     net_kernel:connect_node(PEER) on NODE
require __DIR__ . '/cluster.php';
ob_start();
[$cmd, $args] = [$argv[1] ?? '', array_slice($argv, 2)];
$out = match ($cmd) {
    'cycle' => (function () use ($args) {
        use_erlang_sessions($args[0], ['peb.default_timeout' => '1000']);
        return var_export(@session_cycle($args[1], function () use ($args) { $_SESSION['v'] = $args[2]; }), true);
    })(),
    'read' => (string) cluster_call($args[0], 'session_handler', 'read', '[~b]', [[$args[1]]]),
    'status' => implode(', ', array_map(function ($node) {
        $s = cluster_status($node);
        return $s ? "{$s['status']} (" . count($s['running']) . ' running)' : 'no answer';
    }, $args)),
    'connect' => var_export(cluster_call($args[0], 'net_kernel', 'connect_node', '[~a]', [[$args[1]]]), true),
    default => 'usage: hosts_cluster.php cycle|read|status|connect ...',
};
ob_end_clean();
echo $out, "\n";
