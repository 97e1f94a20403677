<?php
// The faults of the README's reliability section, each made for real
// against nodes this script starts (on 127.0.0.1, under the private epmd
// of scripts/lib/test-env.sh, through the environment library) and stops
// by pid; prints one row per fault: what was done, what is expected, what
// was seen, and PASS or FAIL. Run by scripts/tests/faults, which exits
// non-zero when a row fails.
require __DIR__ . '/../lib/php/session.php';
require __DIR__ . '/../lib/php/fake_node.php';

$rows = [];
$nil = peb_encode('[]', [[]]);
$timeout = 1000;
ini_set('peb.default_timeout', (string) $timeout);
set_error_handler(function ($no, $msg) { $GLOBALS['warnings'][] = $msg; return true; });

function row(string $fault, string $expected, string $seen, bool $ok): void
{
    $GLOBALS['rows'][] = [$fault, $expected, $seen, $ok];
    fprintf(STDERR, "%s %s: %s\n", $ok ? 'PASS' : 'FAIL', $fault, $seen);
}

function warnings(): array
{
    $w = $GLOBALS['warnings'] ?? [];
    $GLOBALS['warnings'] = [];
    return $w;
}

/** Whether every thread of `$pid` is stopped (state T in /proc). */
function all_stopped(int $pid): bool
{
    foreach (glob("/proc/$pid/task/*/stat") ?: [] as $stat) {
        // The state follows the command name, which is in parentheses.
        $line = (string) @file_get_contents($stat);
        $state = substr($line, strrpos($line, ')') + 2, 1);
        if ($state !== 'T' && $state !== 't') {
            return false;
        }
    }
    return true;
}

/** True when `$ms` is within 20% of `$limit`, and not over it by more. */
function within(int $ms, int $limit): bool { return $ms <= $limit * 1.2; }

$me = getmypid();

// 1. The node killed in the middle of an RPC.
$name = "fault_rpc$me";
$pid = start_node($name);
$l = peb_connect("$name@127.0.0.1", test_cookie(), $timeout);
ini_set('peb.default_timeout', '5000');
shell_exec("(sleep 0.3; kill -9 $pid) >/dev/null 2>&1 &");
$t0 = hrtime(true);
$r = peb_rpc('timer', 'sleep', peb_encode('[~i]', [[3000]]), $l);
$ms = ms_since($t0);
ini_set('peb.default_timeout', (string) $timeout);
row('node killed (SIGKILL) mid-RPC', 'false, errno 4, as the link drops (not at the 5 s timeout)',
    sprintf('%s, errno %d, after %d ms (kill at 300 ms)', var_export($r, true), peb_errorno(), $ms),
    $r === false && peb_errorno() === 4 && $ms < 1500);
stop_node($pid, $name, 9);
warnings();

// 2. The node killed in the middle of a session: a child starts a session
// on the first node of its save path; the node is killed either before the
// child writes, or once the write is sent and not yet confirmed (the node
// held with SIGSTOP meanwhile, then killed). Either way the write must
// land on the second node and the request end normally.
function killed_mid_session(string $me, bool $write_in_flight): void
{
    $a = "fault_wa$me";
    $b = "fault_wb$me";
    $pa = start_node($a);
    $pb = start_node($b);
    $path = "$a@127.0.0.1, $b@127.0.0.1";
    $id = new_session_id();
    $code = <<<'PHP'
    session_id(getenv('SID'));
    session_start();
    echo "started\n";
    fgets(STDIN);
    $_SESSION['v'] = 'written after the kill';
    $t0 = hrtime(true);
    session_write_close();
    echo "closed after ", intdiv(hrtime(true) - $t0, 1000000), " ms\n";
    PHP;
    $proc = proc_open(array_merge(php_child_cmd(erlang_session_ini($path)), ['-r', $code]),
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['SID' => $id] + getenv());
    $started = trim((string) fgets($pipes[1]));
    if ($write_in_flight) {
        shell_exec("kill -STOP $pa");
        for ($i = 0; $i < 200 && !all_stopped($pa); $i++) {
            usleep(5_000);
        }
        fwrite($pipes[0], "go\n");
        // The write is sent; its confirmation is due when the request ends.
        $closed = trim((string) fgets($pipes[1]));
        stop_node($pa, $a, 9);
    } else {
        stop_node($pa, $a, 9);
        fwrite($pipes[0], "go\n");
        $closed = '';
    }
    fclose($pipes[0]);
    $out = $closed . ' ' . stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    $status = proc_close($proc);
    $on_b = stored($id, "$b@127.0.0.1");
    row($write_in_flight ? 'node killed (SIGKILL) mid-session-write (the write sent, not yet confirmed)'
        : 'node killed (SIGKILL) mid-session (after the read, before the write)',
        'the write lands on the next node of session.save_path; the request ends normally, no warning',
        sprintf('%s; child exit %d; on the next node: %s; %s', $started, $status, var_export($on_b, true),
            trim(preg_replace('/\s+/', ' ', preg_replace('/ in .* on line \d+/', '', $out)))),
        $started === 'started' && $status === 0 && $on_b === 'v|s:22:"written after the kill";'
        && !str_contains($out, 'Warning'));
    stop_node($pb, $b);
}
killed_mid_session($me, false);
killed_mid_session($me, true);

// 3. The node paused with SIGSTOP: every call returns within its timeout (+20%).
$name = "fault_stop$me";
$pid = start_node($name);
$node = "$name@127.0.0.1";
$l = peb_connect($node, test_cookie(), $timeout);
use_erlang_sessions($node, ['peb.default_timeout' => (string) $timeout, 'peb.session.lock_wait' => '30000']);
$id = new_session_id();
session_cycle($id, function () { $_SESSION['n'] = 1; });
// A session is open when the node stops: its write goes out unanswered.
session_id($id);
session_start();
$_SESSION['n'] = 2;
shell_exec("kill -STOP $pid");
// kill(2) returns before every thread of the node has stopped: wait until they have.
for ($i = 0; $i < 200 && !all_stopped($pid); $i++) {
    usleep(5_000);
}
$calls = [
    'peb_rpc' => fn () => peb_rpc('erlang', 'node', $nil, $l),
    'peb_receive' => fn () => peb_receive($l, $timeout),
    'peb_connect' => fn () => peb_connect($node, test_cookie(), $timeout),
    // Sent without waiting: true at once; its confirmation is due at the next read.
    'session_write_close' => fn () => session_write_close(),
    'session_start (locking read, lock_wait 30 s, a write unconfirmed)' => function () use ($id) {
        session_id($id);
        return session_start();
    },
];
$seen = [];
$ok = true;
foreach ($calls as $what => $call) {
    $t0 = hrtime(true);
    $r = $call();
    $ms = ms_since($t0);
    $seen[] = sprintf('%s %s in %d ms', $what, var_export($r, true) === 'true' ? 'true' : ($r === false ? 'false' : 'an answer'), $ms);
    $expected = $what === 'session_write_close' ? $r === true : $r === false;
    $ok = $ok && $expected && within($ms, $timeout);
}
shell_exec("kill -CONT $pid");
warnings();
row("node paused (SIGSTOP), timeout $timeout ms", "each call returns within $timeout ms +20% (false; the write is sent without waiting: true)", implode('; ', $seen), $ok);
stop_node($pid, $name, 9);
if (session_status() === PHP_SESSION_ACTIVE) {
    session_abort();
}

// 4. epmd not running (a port where nothing listens).
$port = getenv('ERL_EPMD_PORT');
$unused = free_port();
putenv("ERL_EPMD_PORT=$unused");
$t0 = hrtime(true);
$r = peb_connect(test_node(), test_cookie(), $timeout);
$ms = ms_since($t0);
putenv("ERL_EPMD_PORT=$port");
row('epmd not running', 'false, errno 2 (connect), at once', sprintf('%s, errno %d, "%s", in %d ms',
    var_export($r, true), peb_errorno(), peb_error(), $ms), $r === false && peb_errorno() === 2 && $ms < $timeout);
warnings();

// 5. The node restarted: a persistent link recovers, PHP sees no error.
$name = "fault_restart$me";
$node = "$name@127.0.0.1";
$pid = start_node($name);
$p = peb_pconnect($node, test_cookie(), $timeout);
$first = peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0];
stop_node($pid, $name, 9);
$pid = start_node($name);
$p = peb_pconnect($node, test_cookie(), $timeout);
$r = peb_rpc('erlang', 'node', $nil, $p);
$w = warnings();
row('node restarted (SIGKILL, started again)', 'the persistent link recovers: an answer, no error, no warning',
    sprintf('%s, errno %d, %d warnings', $r === false ? 'false' : peb_decode($r)[0], peb_errorno(), count($w)),
    $first === $node && $r !== false && peb_errorno() === 0 && $w === []);
stop_node($pid, $name);

// 6. A PHP process killed (SIGKILL) while it holds a session's lock.
$id = new_session_id();
use_erlang_sessions(null, ['peb.session.lock_wait' => '30000']);
$holder = php_child("session_id(getenv('SID')); session_start(); echo \"holding\\n\"; sleep(60);",
    erlang_session_ini(), ['SID' => $id]);
$holding = trim(php_child_line($holder));
proc_terminate($holder[0], 9);
$t0 = hrtime(true);
session_id($id);
$got = session_start();
$ms = ms_since($t0);
session_write_close();
php_child_wait($holder);
row('PHP process killed (SIGKILL) holding a session lock', 'the next request gets the lock at once (lock_wait is 30 s)',
    sprintf('%s; session_start %s after %d ms', $holding, var_export($got, true), $ms), $holding === 'holding' && $got && $ms < 1000);
warnings();

// 7. A wrong cookie.
$t0 = hrtime(true);
$r = peb_connect(test_node(), 'not-the-cookie', $timeout);
$ms = ms_since($t0);
row('wrong cookie', 'false, errno 2, a message that names no cookie', sprintf('%s, errno %d, "%s", in %d ms',
    var_export($r, true), peb_errorno(), peb_error(), $ms),
    $r === false && peb_errorno() === 2 && !str_contains(peb_error(), 'not-the-cookie') && $ms < $timeout);
warnings();

// 8. A node of another name answering on the port EPMD gives.
$name = "fault_name$me";
$fake = start_fake_node($name, 'control', "impostor$me@127.0.0.1");
$t0 = hrtime(true);
$r = peb_connect("$name@127.0.0.1", test_cookie(), $timeout);
$ms = ms_since($t0);
row('a node of another name answering', 'false, errno 2, naming the node that answered', sprintf('%s, errno %d, "%s", in %d ms',
    var_export($r, true), peb_errorno(), peb_error(), $ms),
    $r === false && peb_errorno() === 2 && str_contains(peb_error(), "impostor$me") && $ms < $timeout);
stop_fake_node($fake);
warnings();

echo "| fault | expected | seen | |\n|---|---|---|---|\n";
foreach ($rows as [$fault, $expected, $seen, $ok]) {
    printf("| %s | %s | %s | %s |\n", $fault, $expected, str_replace('|', '/', $seen), $ok ? 'PASS' : 'FAIL');
}
exit(count(array_filter($rows, fn ($r) => !$r[3])) > 0 ? 1 : 0);
