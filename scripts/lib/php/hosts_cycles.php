<?php
// scripts/lib/hosts' PHP side, run inside a web host's namespace: CYCLES
// session cycles (set the id, session_start(), write HOSTS_SECRET and a
// counter, session_write_close()), then the session read back. The save
// handler and TLS are whatever php.ini (-d) says. Prints one JSON line:
// the cycles, errors, whether the data read back, the median cycle (µs)
// and cycles per second after the first (which pays for the connection,
// and over TLS its handshake). HOSTS_SIZE: bytes of padding in the session
// (scripts/lib/hosts bench: 1 KB).
//   php hosts_cycles.php CYCLES
ini_set('session.use_cookies', '0');
ini_set('session.cache_limiter', '');
ini_set('session.gc_probability', '0');
$cycles = (int) ($argv[1] ?? 100);
$secret = (string) getenv('HOSTS_SECRET');
$pad = str_repeat('p', (int) getenv('HOSTS_SIZE'));
$id = 'hosts' . bin2hex(random_bytes(12));
$errors = 0;
$lat = [];
$start = hrtime(true);
for ($i = 0; $i < $cycles; $i++) {
    $t = hrtime(true);
    session_id($id);
    if (!session_start()) {
        $errors++;
        continue;
    }
    $_SESSION['n'] = $i;
    $_SESSION['secret'] = $secret;
    $_SESSION['pad'] = $pad;
    $errors += session_write_close() ? 0 : 1;
    $lat[] = hrtime(true) - $t;
    if ($i === 0) {
        $start = hrtime(true);
    }
}
$cps = $cycles > 1 ? round(($cycles - 1) / ((hrtime(true) - $start) / 1e9)) : 0;
session_id($id);
session_start();
$back = ($_SESSION['secret'] ?? null) === $secret && ($_SESSION['n'] ?? -1) === $cycles - 1;
session_destroy();
sort($lat);
$p50 = $lat ? round($lat[intdiv(count($lat), 2)] / 1000) : 0;
echo json_encode(['cycles' => $cycles, 'errors' => $errors, 'read_back' => $back, 'p50_us' => $p50, 'cps' => $cps]), "\n";
