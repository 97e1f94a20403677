<?php
// One process's session cycles, for bench/sessions: set the id,
// session_start(), change the data, session_write_close(). The handler is
// whatever php.ini (-d) says. Prints one JSON line: cycles, wall seconds,
// and each cycle's latency percentiles in microseconds.
// TAGS (optional, comma-separated): each cycle also tags its session
// (peb_session_tag(), carried by the write: still one read, one write).
//   php bench/session_cycle.php CYCLES SIZE_BYTES [WARMUP] [TAGS]
ini_set('session.use_cookies', '0');
ini_set('session.cache_limiter', '');
ini_set('session.gc_probability', '0');
[$cycles, $size, $warmup] = [(int) ($argv[1] ?? 1000), (int) ($argv[2] ?? 1024), (int) ($argv[3] ?? 50)];
$id = 'bench' . getmypid() . bin2hex(random_bytes(6));
$payload = str_repeat('x', max(0, $size - 40));
$tags = ($argv[4] ?? '') === '' ? [] : explode(',', $argv[4]);

$cycle = function (int $i) use ($id, $payload, $tags): bool {
    session_id($id);
    if (!session_start()) {
        return false;
    }
    if ($tags) {
        peb_session_tag(...$tags);
    }
    $_SESSION['n'] = $i;
    $_SESSION['data'] = $payload;
    return session_write_close();
};

$errors = 0;
for ($i = 0; $i < $warmup; $i++) {
    $errors += $cycle($i) ? 0 : 1;
}
$lat = [];
$t0 = hrtime(true);
for ($i = 0; $i < $cycles; $i++) {
    $t = hrtime(true);
    $errors += $cycle($i) ? 0 : 1;
    $lat[] = hrtime(true) - $t;
}
$wall = (hrtime(true) - $t0) / 1e9;
sort($lat);
$pct = fn(float $p): float => round($lat[min(count($lat) - 1, (int) floor($p * count($lat)))] / 1000, 1);
session_id($id);
session_start();
session_destroy();
echo json_encode(['cycles' => $cycles, 'wall' => $wall, 'p50' => $pct(0.50), 'p99' => $pct(0.99), 'errors' => $errors]), "\n";
