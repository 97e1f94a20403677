<?php
// Session cycles side by side: the erlang handler (ETS on one node, a
// three-node Mnesia cluster and a three-node Raft cluster) beside redis (persistent and default),
// memcached and files, in one run on one machine. For each
// handler, data size (100 B, 1 KB, 64 KB), process count (1 and 4) and
// locking where the handler has the choice: cycles per second, p50 and p99
// of one cycle, and the ratio to redis (persistent, its defaults) at the
// same size and process count. Each process cycles its own session.
//
// Called by bench/run, which starts the backends and sets BENCH_NODE,
// BENCH_CLUSTER (Mnesia), BENCH_RAFT_CLUSTER, BENCH_COOKIE, BENCH_REDIS_PORT, BENCH_MEMCACHED_PORT, PEB_EXTENSION.
//   php bench/sessions.php [--quick] [--only PREFIX] [--handlers 'A|B'] [--sizes N,M] [--json FILE]

$quick = in_array('--quick', $argv, true);
$json = ($i = array_search('--json', $argv, true)) !== false ? $argv[$i + 1] : null;
// --only PREFIX: the handlers whose name starts with it (bench/cluster: erlang).
$only = ($i = array_search('--only', $argv, true)) !== false ? $argv[$i + 1] : '';
// --handlers 'A|B': exactly these handlers; --sizes 1024,100: these sizes
// (bench/run's second and third rounds measure only the target rows).
$exact = ($i = array_search('--handlers', $argv, true)) !== false ? preg_split('/[|;]/', $argv[$i + 1]) : null;
$i = array_search('--sizes', $argv, true) ?: array_search('--size', $argv, true);
$only_sizes = $i !== false ? array_map('intval', explode(',', $argv[$i + 1])) : null;
$ext = getenv('PEB_EXTENSION');
$redis = (int) getenv('BENCH_REDIS_PORT');
$memcached = (int) getenv('BENCH_MEMCACHED_PORT');
$files = sys_get_temp_dir() . '/peb-bench-files-' . getmypid();
@mkdir($files);

$erlang = ['extension' => $ext, 'session.save_handler' => 'erlang', 'session.save_path' => getenv('BENCH_NODE'),
    'peb.default_cookie' => getenv('BENCH_COOKIE'), 'peb.default_timeout' => '5000'];
$phpredis = ['extension' => ['igbinary', 'msgpack', 'redis'], 'session.save_handler' => 'redis'];
$handlers = [
    'erlang' => $erlang + ['peb.session.locking' => '1'],
    'erlang, no locking' => $erlang + ['peb.session.locking' => '0'],
    // Every cycle tags its session (two tags): the tags ride with the write.
    'erlang, tagged' => $erlang + ['peb.session.locking' => '1', 'bench.tags' => 'user:1,tenant:7'],
    'erlang, mnesia x3' => ['session.save_path' => getenv('BENCH_CLUSTER'), 'peb.session.locking' => '1'] + $erlang,
    'erlang, raft x3' => ['session.save_path' => getenv('BENCH_RAFT_CLUSTER'), 'peb.session.locking' => '1'] + $erlang,
    'redis' => $phpredis + ['session.save_path' => "tcp://127.0.0.1:$redis?persistent=1"],
    'redis, locking' => $phpredis + ['session.save_path' => "tcp://127.0.0.1:$redis?persistent=1",
        'redis.session.locking_enabled' => '1'],
    'redis, not persistent' => $phpredis + ['session.save_path' => "tcp://127.0.0.1:$redis"],
    'memcached' => ['extension' => ['igbinary', 'msgpack', 'memcached'], 'session.save_handler' => 'memcached',
        'session.save_path' => "127.0.0.1:$memcached"],
    'memcached, no locking' => ['extension' => ['igbinary', 'msgpack', 'memcached'],
        'session.save_handler' => 'memcached', 'session.save_path' => "127.0.0.1:$memcached",
        'memcached.sess_locking' => '0'],
    'files' => ['session.save_handler' => 'files', 'session.save_path' => $files],
];
$handlers = array_filter($handlers, fn($name) => str_starts_with($name, $only)
    && ($exact === null || in_array($name, $exact, true)), ARRAY_FILTER_USE_KEY);
if (!getenv('BENCH_CLUSTER')) {
    unset($handlers['erlang, mnesia x3']);
}
if (!getenv('BENCH_RAFT_CLUSTER')) {
    unset($handlers['erlang, raft x3']);
}
$sizes = $only_sizes ?? ($quick ? [1024] : [100, 1024, 65536]);
$procs = [1, 4];
$cycles = $quick ? 400 : 2000;

function command(array $ini, int $cycles, int $size): array
{
    $cmd = [PHP_BINARY, '-n'];
    $tags = $ini['bench.tags'] ?? '';
    unset($ini['bench.tags']);
    foreach ($ini as $k => $v) {
        foreach ((array) $v as $one) {
            // Values with = or ? must be quoted for PHP's ini parser.
            array_push($cmd, '-d', $k === 'extension' ? "extension=$one" : "$k=\"$one\"");
        }
    }
    return array_merge($cmd, [__DIR__ . '/session_cycle.php', (string) $cycles, (string) $size, '50', $tags]);
}

/** Runs $procs processes of $cycles cycles at once; the merged figures. */
function run(array $ini, int $procs, int $cycles, int $size): array
{
    $children = [];
    for ($p = 0; $p < $procs; $p++) {
        $children[] = proc_open(command($ini, $cycles, $size), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $outs[] = $pipes;
    }
    $res = [];
    foreach ($children as $i => $c) {
        $out = stream_get_contents($outs[$i][1]);
        $err = stream_get_contents($outs[$i][2]);
        proc_close($c);
        $r = json_decode(trim($out), true);
        if (!$r) {
            fwrite(STDERR, "a benchmark process failed: " . substr($out . $err, 0, 500) . "\n");
            return ['cps' => 0, 'p50' => 0, 'p99' => 0, 'errors' => -1];
        }
        $res[] = $r;
    }
    $wall = max(array_column($res, 'wall'));
    $p50s = array_column($res, 'p50');
    sort($p50s);
    return [
        'cps' => array_sum(array_column($res, 'cycles')) / $wall,
        'p50' => $p50s[intdiv(count($p50s), 2)],
        'p99' => max(array_column($res, 'p99')),
        'errors' => array_sum(array_column($res, 'errors')),
    ];
}

$rows = [];
foreach ($sizes as $size) {
    foreach ($procs as $p) {
        foreach ($handlers as $name => $ini) {
            $r = run($ini, $p, $p === 1 ? $cycles : intdiv($cycles, 2), $size);
            $rows[] = ['handler' => $name, 'size' => $size, 'procs' => $p] + $r;
            fprintf(STDERR, "  %-24s %6d B  %d proc  %8.0f cycles/s\n", $name, $size, $p, $r['cps']);
        }
    }
}
array_map('unlink', glob("$files/*"));
rmdir($files);

// The ratio to redis (persistent, its defaults) at the same size and processes.
foreach ($rows as &$row) {
    foreach ($rows as $ref) {
        if ($ref['handler'] === 'redis' && $ref['size'] === $row['size'] && $ref['procs'] === $row['procs']) {
            $row['vs_redis'] = $ref['cps'] > 0 ? $row['cps'] / $ref['cps'] : 0;
        }
    }
}
unset($row);

printf("%-24s %7s %5s %12s %9s %9s %8s %6s\n", 'handler', 'size', 'procs', 'cycles/s', 'p50 us', 'p99 us', 'x redis', 'errors');
foreach ($rows as $r) {
    printf("%-24s %7d %5d %12.0f %9.1f %9.1f %8.2f %6d\n", $r['handler'], $r['size'], $r['procs'], $r['cps'],
        $r['p50'], $r['p99'], $r['vs_redis'] ?? 0, $r['errors']);
}
if ($json) {
    file_put_contents($json, json_encode($rows, JSON_PRETTY_PRINT));
}
