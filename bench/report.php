<?php
// Writes bench/RESULTS.md from the figures bench/run collected in DIR, and
// the data of the session chart (DIR/chart.dat, drawn by gnuplot).
//   php bench/report.php DIR [--quick]

$dir = $argv[1];
$quick = in_array('--quick', $argv, true);
$load = fn(string $f) => is_file("$dir/$f") ? json_decode(file_get_contents("$dir/$f"), true) : null;
$codec = $load('codec.json');
$rpc = $load('rpc.json');
$sessions = $load('sessions.json') ?? [];
$e2e = is_file("$dir/e2e.jsonl")
    ? array_map(fn($l) => json_decode($l, true), array_filter(file("$dir/e2e.jsonl", FILE_IGNORE_NEW_LINES)))
    : [];

function sh(string $cmd): string { return trim((string) shell_exec("$cmd 2>&1")); }
function first_line(string $s): string { return strtok($s, "\n") ?: ''; }

$mem = preg_match('/MemTotal:\s+(\d+)/', file_get_contents('/proc/meminfo'), $m) ? round($m[1] / 1048576, 1) : '?';
$cpu = preg_match('/model name\s*:\s*(.*)/', file_get_contents('/proc/cpuinfo'), $m) ? $m[1] : '?';
$versions = [
    'peb' => sh('git -C ' . escapeshellarg(__DIR__ . '/..') . ' rev-parse --short HEAD'),
    'PHP' => PHP_VERSION,
    'Erlang/OTP' => sh("erl -noshell -eval 'io:format(\"~s\", [erlang:system_info(otp_release)]), halt().'"),
    'redis-server' => preg_replace('/.*v=(\S+).*/', '$1', sh('redis-server --version')),
    'phpredis' => sh('php -n -d extension=igbinary -d extension=msgpack -d extension=redis -r "echo phpversion(\'redis\');"'),
    'memcached' => sh('memcached -V'),
    'php-memcached' => sh('php -n -d extension=igbinary -d extension=msgpack -d extension=memcached -r "echo phpversion(\'memcached\');"'),
    'nginx' => preg_replace('/.*nginx\//', '', sh('nginx -v')),
    'php-fpm' => first_line(sh(sh(escapeshellarg(__DIR__ . '/../scripts/lib/peb-env') . ' fpm-bin') . ' -v')),
    'wrk' => first_line(sh('wrk -v')),
];

/** The row of $handler at $size bytes and $procs processes, in $rows. */
function find(array $rows, string $handler, int $size, int $procs): ?array
{
    foreach ($rows as $r) {
        if ($r['handler'] === $handler && $r['size'] === $size && $r['procs'] === $procs) {
            return $r;
        }
    }
    return null;
}
/** The end-to-end line of $handler, in $lines. */
function e2e_of(array $lines, string $handler): ?array
{
    foreach ($lines as $r) {
        if (($r['handler'] ?? '') === $handler) {
            return $r;
        }
    }
    return null;
}
$find = fn(string $handler, int $size, int $procs) => find($sessions, $handler, $size, $procs);
$e2e_of = fn(string $handler) => e2e_of($e2e, $handler);
$jsonl = fn(string $f) => is_file("$dir/$f")
    ? array_map(fn($l) => json_decode($l, true), array_filter(file("$dir/$f", FILE_IGNORE_NEW_LINES))) : [];
// Rounds 2 and 3 (bench/run): the target rows measured again.
$rounds = [1 => [$sessions, $e2e]];
for ($r = 2; is_file("$dir/sessions-r$r.json"); $r++) {
    $rounds[$r] = [$load("sessions-r$r.json") ?? [], $jsonl("e2e-r$r.jsonl")];
}

$o = [];
$o[] = '# Benchmark results';
$o[] = '';
$o[] = sprintf('Written by `bench/run%s` on %s. Every figure below was measured in this one run on this one machine; the ratios are what to read, as this machine is shared and its absolute speed varies from run to run.', $quick ? ' --quick' : '', gmdate('Y-m-d H:i \U\T\C'));
$o[] = '';
$o[] = '| machine | |';
$o[] = '|---|---|';
$o[] = '| cores | ' . sh('nproc') . " ($cpu) |";
$o[] = "| memory | $mem GiB |";
$o[] = '| system | ' . first_line(sh('. /etc/os-release; echo $PRETTY_NAME')) . ', kernel ' . php_uname('r') . ' |';
foreach ($versions as $k => $v) {
    $o[] = "| $k | $v |";
}
$o[] = '| store nodes\' flags | `' . trim(getenv('PEB_NODE_FLAGS') . ' +sbwt none +sbwtdcpu none +sbwtdio none') . '` (bench/README.md, "Running the node next to PHP"; bench/shards sets its own) |';

$o[] = '';
$o[] = '## Targets';
$o[] = '';
$o[] = sprintf('Each target is measured in each of the %d rounds of this run (round 1 measures everything, the others again the rows the targets read), side by side with what it is compared to; it is held when it holds in every round.', count($rounds));
$o[] = '';
$o[] = '| target | rule | ' . implode(' | ', array_map(fn($r) => "round $r", array_keys($rounds))) . ' | held |';
$o[] = '|---|---|' . str_repeat('---|', count($rounds)) . '---|';
$ratio = fn(?array $a, ?array $b, string $k) => $a && $b && $b[$k] > 0 ? $a[$k] / $b[$k] : null;
$targets = [
    // [what, rule, at least (true) or at most, bound, fn(sessions, e2e) => value]
    ['session cycle, 1 KB, 1 process, locking on: erlang / redis persistent (cycles/s)', true, 1.5,
        fn($s, $e) => $ratio(find($s, 'erlang', 1024, 1), find($s, 'redis', 1024, 1), 'cps')],
    ['session cycle, 1 KB, 4 processes, locking on: erlang / redis persistent (cycles/s)', true, 1.1,
        fn($s, $e) => $ratio(find($s, 'erlang', 1024, 4), find($s, 'redis', 1024, 4), 'cps')],
    ['end to end under php-fpm: erlang / redis (requests/s)', true, 1.15,
        fn($s, $e) => $ratio(e2e_of($e, 'erlang'), e2e_of($e, 'redis'), 'rps')],
    ['end to end under php-fpm: erlang p99 / redis p99', false, 0.9,
        fn($s, $e) => $ratio(e2e_of($e, 'erlang'), e2e_of($e, 'redis'), 'p99_ms')],
    ['end to end: store CPU per request, Erlang node / redis-server', false, 1.0,
        fn($s, $e) => $ratio(e2e_of($e, 'erlang'), e2e_of($e, 'redis'), 'store_cpu_us')],
    ['session cycle, 1 KB, 1 process: Mnesia, 3 replicas / ETS, 1 node (cycles/s)', true, 0.7,
        fn($s, $e) => $ratio(find($s, 'erlang, mnesia x3', 1024, 1), find($s, 'erlang', 1024, 1), 'cps')],
    ['session cycle, 1 KB, 1 process: Raft, 3 replicas / ETS, 1 node (cycles/s)', true, 0.5,
        fn($s, $e) => $ratio(find($s, 'erlang, raft x3', 1024, 1), find($s, 'erlang', 1024, 1), 'cps')],
    ['erlang session cycles, 4 processes / 1 process (1 KB)', true, 1.7,
        fn($s, $e) => $ratio(find($s, 'erlang', 1024, 4), find($s, 'erlang', 1024, 1), 'cps')],
];
foreach ($targets as [$what, $least, $bound, $measure]) {
    $cells = [];
    $held = 0;
    foreach ($rounds as [$s, $e]) {
        $v = $measure($s, $e);
        $ok = $v !== null && ($least ? $v >= $bound : $v <= $bound);
        $held += $ok ? 1 : 0;
        $cells[] = $v === null ? '-' : sprintf($ok ? '%.2f' : '**%.2f**', $v);
    }
    $o[] = sprintf('| %s | %s %.2f | %s | %s |', $what, $least ? 'at least' : 'at most', $bound, implode(' | ', $cells),
        $held === count($rounds) ? 'yes' : sprintf('**no** (%d of %d)', $held, count($rounds)));
}
$v = $rpc ? $rpc['ratio'] : null;
$o[] = sprintf('| peb_rpc of erlang:node/0 / Erlang-to-Erlang rpc:call (time) | at most 1.30 | %s |%s %s |',
    $v === null ? '-' : sprintf('%.2f', $v), str_repeat(' - |', count($rounds) - 1),
    $v === null ? '-' : ($v <= 1.3 ? 'yes' : '**no**'));

$o[] = '';
$o[] = '## Session cycles';
$o[] = '';
$o[] = 'One cycle: set the id, `session_start()`, change the data, `session_write_close()`. Each process cycles a session of its own. With 4 processes, cycles/s is the sum, p50 the median of the processes\' p50s and p99 the worst of their p99s. "x redis" is cycles/s over those of `redis` (persistent connection, its defaults: no locking) at the same size and process count.';
$o[] = '';
$o[] = '![session cycles per second](sessions.png)';
foreach (array_unique(array_column($sessions, 'size')) as $size) {
    $o[] = '';
    $o[] = "### $size bytes of data";
    $o[] = '';
    $o[] = '| handler | processes | cycles/s | p50 µs | p99 µs | x redis | errors |';
    $o[] = '|---|---|---|---|---|---|---|';
    foreach ($sessions as $row) {
        if ($row['size'] === $size) {
            $o[] = sprintf('| %s | %d | %.0f | %.1f | %.1f | %.2f | %d |', $row['handler'], $row['procs'], $row['cps'],
                $row['p50'], $row['p99'], $row['vs_redis'] ?? 0, $row['errors']);
        }
    }
}

$o[] = '';
$o[] = '## End to end: nginx, php-fpm (8 workers), wrk';
$o[] = '';
$o[] = 'A page that starts a session, changes it, closes it and renders, under wrk with a session cookie per client (`bench/e2e`).';
$o[] = '';
$o[] = 'CPU per request, measured over the same run from /proc: the store\'s server process (beam.smp, redis-server, memcached), the php-fpm pool (master and workers) and nginx.';
$o[] = '';
$o[] = '| handler | requests/s | p50 ms | p99 ms | errors | x redis (req/s) | store CPU µs/req | php-fpm CPU µs/req | nginx CPU µs/req |';
$o[] = '|---|---|---|---|---|---|---|---|---|';
$cell = fn($v) => $v === null ? '-' : sprintf('%.0f', $v);
foreach ($e2e as $row) {
    $o[] = sprintf('| %s | %.0f | %.2f | %.2f | %d | %.2f | %s | %s | %s |', $row['handler'], $row['rps'], $row['p50_ms'],
        $row['p99_ms'], $row['errors'], ($er = $e2e_of('redis')) && $er['rps'] > 0 ? $row['rps'] / $er['rps'] : 0,
        $cell($row['store_cpu_us'] ?? null), $cell($row['php_cpu_us'] ?? null), $cell($row['nginx_cpu_us'] ?? null));
}

$o[] = '';
$o[] = "## The node's schedulers: sharded locks";
$o[] = '';
$shards = is_file("$dir/shards.jsonl")
    ? array_map(fn($l) => json_decode($l, true), array_filter(file("$dir/shards.jsonl", FILE_IGNORE_NEW_LINES)))
    : [];
if ($shards) {
    $o[] = sprintf('A store node (ETS) at `+S 1` up to all of this machine\'s %d cores, loaded by an Erlang node whose %d processes send the extension\'s messages (the read with the lock, then the write, 1 KB; a session each) over distribution (`bench/shards`): its 16 shards, each request to its shard\'s pid, beside one server (`shards` = 1, requests by name, as before the shards). The generator shares the cores. Then the same clients as processes of the store node itself (no distribution; they share its schedulers): what the lock servers alone do with more schedulers.',
        $shards[0]['cores'], $shards[0]['clients']);
    $o[] = '';
    $o[] = '| store schedulers | shards | requests to | cycles/s | store CPU µs/cycle | generator CPU µs/cycle |';
    $o[] = '|---|---|---|---|---|---|';
    foreach ($shards as $row) {
        $o[] = sprintf('| +S %d%s | %d | %s | %.0f | %.1f | %s |', $row['schedulers'],
            $row['schedulers'] === $row['cores'] ? ' (all)' : '', $row['shards'], $row['to'], $row['cps'],
            $row['store_cpu_us'], $row['gen_cpu_us']);
    }
}

$o[] = '';
$o[] = '## Round trips';
$o[] = '';
if ($rpc) {
    $o[] = '| measurement | µs |';
    $o[] = '|---|---|';
    $o[] = sprintf('| `peb_rpc` of erlang:node/0 | %.1f |', $rpc['peb_rpc_us']);
    $o[] = sprintf('| `peb_rpc` echo of a 1 KB binary | %.1f |', $rpc['peb_rpc_1kb_us']);
    $o[] = sprintf('| Erlang-to-Erlang `rpc:call` of erlang:node/0 | %.1f |', $rpc['rpc_call_us']);
    $o[] = sprintf('| Erlang-to-Erlang message round trip | %.1f |', $rpc['message_us']);
    $o[] = sprintf('| `peb_connect` + `peb_close` | %.1f |', $rpc['connect_us']);
    $o[] = sprintf('| ratio `peb_rpc` / `rpc:call` | %.2f |', $rpc['ratio']);
}

$o[] = '';
$o[] = '## Codec';
$o[] = '';
if ($codec) {
    $o[] = '| measurement | result |';
    $o[] = '|---|---|';
    $o[] = sprintf('| encode+decode of `[~a,{~s,~i},[~b,~d],~a]` | %.3f µs per pair |', $codec['pair_us']);
    $o[] = sprintf('| `serialize`+`unserialize` of the same data | %.3f µs per pair |', $codec['serialize_us']);
    $o[] = sprintf('| ratio peb / serialize | %.2f |', $codec['ratio']);
    foreach ($codec['sizes'] ?? [] as $s) {
        $o[] = sprintf('| %s of %d: encode / decode | %.3f ms / %.3f ms |', $s['kind'], $s['n'], $s['encode_ms'], $s['decode_ms']);
    }
}
$o[] = '';
$o[] = '## What bounds the figures';
$o[] = '';
$o[] = file_exists(__DIR__ . '/BOUNDS.md') ? trim(file_get_contents(__DIR__ . '/BOUNDS.md')) : '';
file_put_contents(__DIR__ . '/RESULTS.md', implode("\n", $o) . "\n");

// Chart data: cycles/s at 1 KB, one line per handler: name, 1 process, 4 processes.
$dat = '';
foreach ($sessions as $row) {
    if ($row['size'] === 1024 && $row['procs'] === 1) {
        $four = $find($row['handler'], 1024, 4);
        $dat .= sprintf("\"%s\" %.0f %.0f\n", $row['handler'], $row['cps'], $four['cps'] ?? 0);
    }
}
file_put_contents("$dir/chart.dat", $dat);
