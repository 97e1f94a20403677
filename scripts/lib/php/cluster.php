<?php
// Helpers for tests of the replicated store: a cluster of three Erlang
// nodes with short names (`<prefix>N@localhost`) on 127.0.0.1, started
// through the environment library (scripts/lib/peb-env) under the private
// epmd of scripts/lib/test-env.sh, each with its own directory, formed
// with the documented commands (peb_session:create/1 and join/2), and
// stopped by pid. Of the Raft store, or of the Mnesia store with
// PEB_CLUSTER_STORE=mnesia in the environment (see peb_env_cluster_node).
require_once __DIR__ . '/session.php';

function cluster_node(string $prefix, int $n): string { return "$prefix$n@localhost"; }

function cluster_dir(string $prefix): string { return sys_get_temp_dir() . "/peb-cluster-$prefix"; }

/**
 * Starts node `$n`: it creates the cluster when `$seeds` is empty, else it
 * joins them (node names). Returns its pid once epmd knows it.
 */
function start_cluster_node(string $prefix, int $n, string $storage = 'ram', array $seeds = []): int
{
    $args = implode(' ', array_map('escapeshellarg', array_merge(
        [cluster_node($prefix, $n), cluster_dir($prefix) . "/$prefix$n", $storage],
        $seeds
    )));
    return remember_node(peb_env_value(peb_env("cluster node $args"), 'pid'));
}

/** The first node creates the cluster, each other joins the first; their pids by number. */
function start_cluster(string $prefix, string $storage = 'ram', int $size = 3): array
{
    $pids = [1 => start_cluster_node($prefix, 1, $storage)];
    for ($n = 2; $n <= $size; $n++) {
        $pids[$n] = start_cluster_node($prefix, $n, $storage, [cluster_node($prefix, 1)]);
    }
    return $pids;
}

/** peb_session:status() of one node, or false when it does not answer. */
function cluster_status(string $node)
{
    $link = @peb_connect($node, test_cookie(), 2000);
    if (!$link) {
        return false;
    }
    $reply = @peb_rpc('peb_session', 'status', peb_encode('[]', [[]]), $link);
    peb_close($link);
    $status = $reply === false ? false : peb_decode($reply)[0];
    return is_array($status) ? $status : false;
}

/** Waits until every node in `$nodes` serves and sees `$running` nodes running. */
function wait_cluster(array $nodes, int $running, int $ms = 60000): bool
{
    $t0 = hrtime(true);
    while (ms_since($t0) < $ms) {
        $ready = 0;
        foreach ($nodes as $node) {
            $s = cluster_status($node);
            // Serving, and holding a copy of its own (not reading another's;
            // raft: a member of the Raft cluster).
            if ($s && $s['status'] === 'ok' && count($s['running'] ?? []) === $running
                && in_array($s['copy'] ?? '', ['disc_copies', 'ram_copies', 'raft'], true)) {
                $ready++;
            }
        }
        if ($ready === count($nodes)) {
            return true;
        }
        usleep(200_000);
    }
    return false;
}

/** An rpc on one node through a link of its own (not the save handler's). */
function cluster_call(string $node, string $m, string $f, string $fmt = '[]', array $args = [[]])
{
    $link = peb_connect($node, test_cookie(), 5000);
    $reply = peb_rpc($m, $f, peb_encode($fmt, $args), $link);
    peb_close($link);
    return $reply === false ? false : peb_decode($reply)[0];
}

function stop_cluster(string $prefix, array $pids, int $signal = 15): void
{
    foreach ($pids as $n => $pid) {
        stop_node($pid, "$prefix$n", $signal);
    }
}

function remove_cluster_dir(string $prefix): void
{
    shell_exec('rm -rf ' . escapeshellarg(cluster_dir($prefix)));
}

/** The save path of the whole cluster, starting with node `$first`. */
function cluster_path(string $prefix, int $first = 1, int $size = 3): string
{
    $nodes = [];
    for ($i = 0; $i < $size; $i++) {
        $nodes[] = cluster_node($prefix, ($first - 1 + $i) % $size + 1);
    }
    return implode(',', $nodes);
}
