--TEST--
Security: session ids PHP's alphabet does not allow (or over 256 characters) never reach the node; with strict mode they lead to a fresh id
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions();
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
$bad = ['dot.dot', 'under_score', '../../etc', "caf\u{e9}", 'semi;colon', str_repeat('a', 257)];

/** What the server counted: reads, writes and sessions. */
function counts(): array
{
    $s = server_stats();
    return [$s['reads'], $s['writes'], $s['sessions']];
}

echo "-- without strict mode: refused, nothing sent\n";
foreach ($bad as $id) {
    $before = counts();
    $warnings = [];
    session_id($id);
    $started = session_start();
    if ($started) {
        session_abort();
    }
    $ours = array_values(array_filter($warnings, fn ($w) => str_starts_with($w, 'session_start(): peb session:')));
    printf("%-14s session_start: %s; store untouched: %s; warning: %s\n", substr($id, 0, 14),
        var_export($started, true), counts() === $before ? 'yes' : 'no', $ours[0] ?? '(none)');
}

echo "-- strict mode: a fresh id instead\n";
ini_set('session.use_strict_mode', '1');
foreach ($bad as $id) {
    $before = counts();
    $warnings = [];
    session_id($id);
    $started = session_start();
    $fresh = session_id();
    $_SESSION['n'] = 1;
    session_write_close();
    printf("%-14s session_start: %s; fresh id: %s; warnings: %d; one read and write, of the fresh id: %s\n",
        substr($id, 0, 14), var_export($started, true),
        $fresh !== $id && preg_match('/^[a-zA-Z0-9,-]{22,256}$/', $fresh) ? 'yes' : "no ($fresh)", count($warnings),
        counts()[0] === $before[0] + 1 && stored($fresh) === 'n|i:1;' ? 'yes' : 'no');
}

echo "-- the longest id PHP allows, 256 characters, works\n";
ini_set('session.use_strict_mode', '0');
$long = str_repeat('Ab0,-', 51) . 'z';
var_dump(strlen($long), session_cycle($long, function () { $_SESSION['long'] = true; }), stored($long));
ob_end_flush();
?>
--EXPECT--
-- without strict mode: refused, nothing sent
dot.dot        session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 7 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
under_score    session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 11 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
../../etc      session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 9 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
café          session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 5 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
semi;colon     session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 10 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
aaaaaaaaaaaaaa session_start: false; store untouched: yes; warning: session_start(): peb session: the session id is 257 bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' (at most 256); it was not sent to the node
-- strict mode: a fresh id instead
dot.dot        session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
under_score    session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
../../etc      session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
café          session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
semi;colon     session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
aaaaaaaaaaaaaa session_start: true; fresh id: yes; warnings: 0; one read and write, of the fresh id: yes
-- the longest id PHP allows, 256 characters, works
int(256)
bool(true)
string(9) "long|b:1;"