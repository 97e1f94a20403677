<?php
// bench/tls's figures: session cycles (bench/session_cycle.php, one
// process, locking on) against a plain node and against TLS nodes, each
// configuration run in turns (3 rounds, the median kept) so that a busy
// moment of this shared machine does not fall on one of them; and the cost
// of peb_connect + peb_close. Prints bench/TLS.md; with --section, only
// the tables, for nodes of another OTP release (BENCH_OTP names it).
$quick = in_array('--quick', $argv, true);
$section = in_array('--section', $argv, true);
$cookie = getenv('BENCH_COOKIE');
$dir = getenv('BENCH_TLS_DIR');
$ext = ini_get('extension') ?: getenv('PEB_EXTENSION');
$tls = ['peb.tls' => '1', 'peb.tls_cafile' => "$dir/ca.pem", 'peb.tls_certfile' => "$dir/client.pem",
    'peb.tls_keyfile' => "$dir/client.key"];
$configs = [
    'plain' => [getenv('BENCH_PLAIN'), []],
    'TLS 1.3' => [getenv('BENCH_TLS13'), $tls],
    'TLS 1.2' => [getenv('BENCH_TLS12'), $tls],
];
// The nodes' pids, for the CPU time each spends (utime + stime, in ticks).
$node_pids = array_combine(array_keys($configs), explode(',', (string) getenv('BENCH_PIDS')));
$ticks = (int) trim((string) shell_exec('getconf CLK_TCK')) ?: 100;
function node_cpu(string $pid): float
{
    $f = explode(' ', substr((string) @file_get_contents("/proc/$pid/stat"), strrpos((string) @file_get_contents("/proc/$pid/stat"), ')') + 2));
    return (float) ($f[11] ?? 0) + (float) ($f[12] ?? 0);
}
function php_cpu(): float
{
    $u = getrusage(1);
    return $u['ru_utime.tv_sec'] + $u['ru_utime.tv_usec'] / 1e6 + $u['ru_stime.tv_sec'] + $u['ru_stime.tv_usec'] / 1e6;
}
$cycles = $quick ? 300 : 2000;
$rounds = 3;

function php_cmd(array $ini): array
{
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . getenv('PEB_EXTENSION')];
    foreach ($ini as $k => $v) {
        array_push($cmd, '-d', "$k=$v");
    }
    return $cmd;
}

function run(array $cmd): array
{
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    proc_close($p);
    $r = json_decode(trim($out), true);
    if (!$r) {
        fwrite(STDERR, "a benchmark process failed: " . substr($out, 0, 500) . "\n");
        exit(1);
    }
    return $r;
}

$connect = <<<'PHP'
$n = (int) $argv[1];
$node = getenv('NODE');
$t0 = hrtime(true);
$fail = 0;
for ($i = 0; $i < $n; $i++) {
    $l = peb_connect($node, getenv('COOKIE'), 5000);
    $l === false ? $fail++ : peb_close($l);
}
echo json_encode(['us' => (hrtime(true) - $t0) / 1000 / $n, 'errors' => $fail]), "\n";
PHP;

// The save handler's settings for a cycle through `$node`, locking on.
function session_ini(string $node, string $cookie, string $timeout_ms = '5000'): array
{
    return ['session.save_handler' => 'erlang', 'session.save_path' => $node, 'peb.default_cookie' => $cookie,
        'peb.default_timeout' => $timeout_ms, 'peb.session.locking' => '1'];
}

// A cycle through each link before any is measured: a node without peb's
// modules (a stock node of another release) compiles them at the first.
foreach ($configs as $name => [$node, $ini]) {
    run(array_merge(php_cmd(session_ini($node, $cookie, '15000') + $ini), [__DIR__ . '/session_cycle.php', '10', '1024', '0']));
}

$rows = [];
foreach ([1024, 65536] as $size) {
    $runs = [];
    for ($r = 0; $r < $rounds; $r++) {
        foreach ($configs as $name => [$node, $ini]) {
            [$n0, $p0] = [node_cpu($node_pids[$name]), php_cpu()];
            $res = run(array_merge(php_cmd(session_ini($node, $cookie) + $ini), [__DIR__ . '/session_cycle.php', (string) $cycles, (string) $size]));
            // CPU per cycle, in µs, of the node and of PHP (warm-up cycles included: 50 of them).
            $res['node_us'] = (node_cpu($node_pids[$name]) - $n0) / $ticks * 1e6 / ($cycles + 50);
            $res['php_us'] = (php_cpu() - $p0) * 1e6 / ($cycles + 50);
            $runs[$name][] = $res;
        }
    }
    foreach ($runs as $name => $rs) {
        usort($rs, fn ($a, $b) => $a['wall'] <=> $b['wall']);
        $m = $rs[1];
        $rows[] = ['size' => $size, 'name' => $name, 'cps' => $m['cycles'] / $m['wall'], 'p50' => $m['p50'], 'p99' => $m['p99'],
            'errors' => array_sum(array_column($rs, 'errors')), 'node_us' => $m['node_us'], 'php_us' => $m['php_us']];
        fprintf(STDERR, "  %-8s %6d B %8.0f cycles/s\n", $name, $size, $m['cycles'] / $m['wall']);
    }
}
$connects = [];
foreach ($section ? [] : $configs as $name => [$node, $ini]) {
    $us = [];
    for ($r = 0; $r < $rounds; $r++) {
        $p = proc_open(array_merge(php_cmd($ini), ['-r', $connect, (string) ($quick ? 50 : 200)]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['NODE' => $node, 'COOKIE' => $cookie] + getenv());
        $us[] = json_decode(trim(stream_get_contents($pipes[1])), true)['us'] ?? 0;
        proc_close($p);
    }
    sort($us);
    $connects[$name] = $us[1];
}

$plain = [];
foreach ($rows as $row) {
    if ($row['name'] === 'plain') {
        $plain[$row['size']] = $row['cps'];
    }
}
$otp = getenv('BENCH_OTP') ?: trim((string) shell_exec("erl -noshell -eval 'io:format(\"~s\", [erlang:system_info(otp_release)]), halt().'"));
if (!$section) {
    echo "# TLS beside plain\n\n";
    printf("Written by `bench/tls` on %s UTC (peb %s, OTP %s, PHP %s, %d cores). One PHP process, locking on, %d cycles per run, ", gmdate('Y-m-d H:i'),
        trim((string) shell_exec('git rev-parse --short HEAD')), $otp, PHP_VERSION, (int) trim((string) shell_exec('nproc')), $cycles);
    echo "the configurations in turns, the median of $rounds runs. TLS nodes require a client certificate (P-256 keys); the link is the persistent one, so the TLS handshake is paid once per process.\n\n";
}
echo "| data | link | cycles/s | p50 µs | p99 µs | time of a cycle / plain | CPU µs per cycle: PHP | CPU µs per cycle: node | errors |\n|---|---|---|---|---|---|---|---|---|\n";
foreach ($rows as $row) {
    printf("| %s | %s | %.0f | %.1f | %.1f | %.2f | %.0f | %.0f | %d |\n", $row['size'] >= 1024 ? ($row['size'] >> 10) . ' KB' : $row['size'] . ' B', $row['name'],
        $row['cps'], $row['p50'], $row['p99'], $plain[$row['size']] / $row['cps'], $row['php_us'], $row['node_us'], $row['errors']);
}
// The target read at 1 KB, the size of the other session targets.
$verdict = [];
foreach ($rows as $row) {
    if ($row['size'] === 1024 && $row['name'] !== 'plain') {
        $r = $plain[1024] / $row['cps'];
        $verdict[] = sprintf('%s %.2f (%s)', $row['name'], $r, $r <= 1.5 ? 'held' : 'missed');
    }
}
$verdict = "Target (issue 16), a TLS session cycle of 1 KB at most 1.5 times a plain one, against OTP $otp's nodes: " . implode(', ', $verdict) . ".\n";
if ($section) {
    echo "\nOTP $otp's nodes, the same PHP; $cycles cycles per run, the median of $rounds runs.\n\n$verdict";
    exit(0);
}
echo "\nPHP's CPU includes starting PHP (one process per run, 50 warm-up cycles); the node's is the whole node's over the run.\n";
echo "\n`peb_connect` + `peb_close` (a new link each time: TCP, TLS handshake, distribution handshake):\n\n| link | µs per connect |\n|---|---|\n";
foreach ($connects as $name => $us) {
    printf("| %s | %.0f |\n", $name, $us);
}
echo "\n$verdict";
