<?php
// One worker of the partition checker (scripts/tests/partitions): session
// cycles through the save handler until PEB_END_US, each recorded as one
// JSON line in PEB_OUT. A write op reads the session's `log` (the ids of
// the ops applied to it), appends its own id and writes; a read op only
// reads (read_and_close). The session is one of PEB_SESSIONS shared ids,
// renamed every PEB_EPOCH_S seconds so that logs stay short; between two
// ops a worker waits up to PEB_PAUSE_US. The read log is recorded whole,
// its ids joined by commas.
//
// Acknowledged: the save handler sends a write without waiting for its
// confirmation and takes it at the next session operation of the process
// (or at the end of the request), where a failure is a warning. So a write
// op is acknowledged when session_write_close() returned true without a
// warning AND the next session_start() of this worker, which took the
// confirmation, returned true without a warning. When that session_start()
// failed, its warnings cannot be told apart from the confirmation's: the
// op is counted as not acknowledged ("unsure"), which can only hide a loss,
// never invent one. A last read of a session of its own takes the last
// write's confirmation.
//
// Times are microseconds of the real-time clock (the same for every
// process): t0 before session_start(), t1 after the op's last call, tack
// when its acknowledgement was known (writes).

$env = fn (string $k) => (string) getenv($k);
$me = (int) $env('PEB_W');
$path = $env('PEB_SAVE_PATH');
$end = (int) $env('PEB_END_US');
$t_run = (int) $env('PEB_T0_US');
$epoch_us = (int) ((float) $env('PEB_EPOCH_S') * 1e6);
$sessions = (int) $env('PEB_SESSIONS');
$prefix = $env('PEB_PREFIX');
$pause_us = (int) $env('PEB_PAUSE_US');
$out = fopen($env('PEB_OUT'), 'a');
$settings = [
    'session.save_handler' => 'erlang',
    'session.save_path' => $path,
    'session.serialize_handler' => 'php_serialize',   // plain serialize(): check.php reads it back
    'session.use_cookies' => '0',
    'session.use_strict_mode' => '0',
    'session.cache_limiter' => '',
    'session.gc_probability' => '0',
    'peb.default_cookie' => $env('PEB_TEST_COOKIE'),
    'peb.default_timeout' => $env('PEB_TIMEOUT_MS') ?: '1000',
    'peb.session.lock_wait' => $env('PEB_LOCK_WAIT_MS') ?: '5000',
];
foreach ($settings as $k => $v) {
    ini_set($k, $v);
}
$warnings = [];
set_error_handler(function (int $no, string $msg) use (&$warnings) {
    $warnings[] = $msg;
    return true;
});

function now_us(): int { return (int) (microtime(true) * 1e6); }

/** Warnings since the last call. */
function take(array &$warnings): array
{
    $w = $warnings;
    $warnings = [];
    return $w;
}

/** The op, as a JSON line. */
function record($out, array $op): void
{
    fwrite($out, json_encode($op, JSON_UNESCAPED_SLASHES) . "\n");
}

$home = explode(',', $path)[0];
$pending = null;   // the last write op, its acknowledgement not known yet
/** Settles $pending with what the session_start() that took its confirmation said. */
$settle = function (bool $started, array $w, int $t) use (&$pending, $out) {
    if ($pending === null) {
        return;
    }
    $pending['unsure'] = $pending['ok'] && !$started;
    $pending['ok'] = $pending['ok'] && $started && !$w;
    $pending['tack'] = $t;
    if ($w && !$pending['warn']) {
        $pending['warn'] = $w[0];
    }
    record($out, $pending);
    $pending = null;
};

mt_srand($me * 7919 + getmypid());
for ($seq = 0; ($t0 = now_us()) < $end; $seq++) {
    $sid = sprintf('%sk%de%d', $prefix, mt_rand(0, $sessions - 1), intdiv($t0 - $t_run, $epoch_us));
    $write = mt_rand(1, 100) > 20;
    take($warnings);
    session_id($sid);
    $started = session_start($write ? [] : ['read_and_close' => true]);
    $w = take($warnings);
    $settle($started, $w, now_us());
    $op = ['w' => $me, 'home' => $home, 'sid' => $sid, 'op' => "$me.$seq", 'kind' => $write ? 'w' : 'r',
           't0' => $t0, 'started' => $started, 'read' => null, 'ok' => false, 'warn' => $w[0] ?? null];
    if ($started) {
        $op['read'] = implode(',', $_SESSION['log'] ?? []);   // ids have no comma
        $op['ok'] = !$write;
        if ($write) {
            $_SESSION['log'][] = $op['op'];
            $closed = session_write_close();
            $w = take($warnings);
            $op['ok'] = $closed && !$w;
            $op['warn'] ??= $w[0] ?? null;
        }
    }
    $op['t1'] = now_us();
    if ($write && $started) {
        $pending = $op;        // recorded once its confirmation is taken
    } else {
        record($out, $op);
    }
    usleep(mt_rand(0, $pause_us));   // a web user's pace, not a benchmark's
}
// The last write's confirmation: a read of this worker's own session.
session_id("{$prefix}own$me");
$started = session_start(['read_and_close' => true]);
$settle($started, take($warnings), now_us());
