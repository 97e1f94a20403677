<?php
// `php serving.php NODE...` (the extension loaded, PEB_TEST_COOKIE the
// cookie): exits 0 once every node serves sessions, seeing all of them
// running and holding a copy of its own; 1 after a minute. The library's
// peb_env_cluster_wait (scripts/lib/env.sh) runs it.
require __DIR__ . '/cluster.php';

$nodes = array_slice($argv, 1);
if (wait_cluster($nodes, count($nodes))) {
    exit(0);
}
fwrite(STDERR, 'not serving: ' . implode(' ', array_filter($nodes, fn ($n) => !wait_cluster([$n], count($nodes), 1))) . "\n");
exit(1);
