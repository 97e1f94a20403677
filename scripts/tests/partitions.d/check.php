<?php
// The partition checker's judge (scripts/tests/partitions): reads what the
// workers recorded (w*.jsonl, workload.php), the faults' times
// (events.jsonl) and the final state of every session through every node,
// and decides.
//   php check.php RUN_DIR FAULT NODE...  one JSON line: the fault's row (examples on stderr)
//   php check.php --table ROWS_FILE      the table of the rows and the last line;
//                                        exits 1 when a row shows a violation
//
// The columns, for each session (a history of ops on one id):
// - lost: acknowledged writes whose id is missing from the session's final
//   log as read through at least one node (any node may serve the next
//   read); sessions whose final logs differ between nodes are counted too.
// - double grants: pairs of acknowledged writes that held the lock at once.
//   A write holds the session's lock from its read (inside session_start)
//   until its write is stored (before its acknowledgement), so within
//   [t0, tack]. With one holder at a time the later of two writes reads
//   after the earlier was stored, and its log contains the earlier's id.
//   Two acknowledged writes whose periods overlap and where neither read the
//   other's id both read before either wrote: both held the lock (typically
//   both read the very same log prefix, and one overwrote the other).
// - stale reads: ops whose read (a write's, or a read-only op's) lacks a
//   write acknowledged before the op started (real-time order: tack < t0).
// - availability: acknowledged / attempted writes that started during a
//   fault, by side: a worker is on the minority side when the first node of
//   its save path is among the nodes the fault cut off (paused, killed);
//   its save path still lets it fail over to the others.

function jsonl(string $file): array
{
    $rows = [];
    foreach (is_file($file) ? file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [] as $line) {
        $rows[] = json_decode($line, true);
    }
    return $rows;
}

/** Each node's final log of each session: [node][sid] => ids, or null when the node did not answer. */
function final_logs(array $nodes, array $sids): array
{
    $logs = [];
    foreach ($nodes as $node) {
        $link = @peb_connect($node, getenv('PEB_TEST_COOKIE'), 5000);
        foreach ($sids as $sid) {
            $reply = $link ? @peb_rpc('session_handler', 'read', peb_encode('[~b]', [[$sid]]), $link) : false;
            $data = $reply === false ? null : peb_decode($reply)[0];
            $logs[$node][$sid] = $data === null ? null : ($data === '' ? [] : (unserialize($data)['log'] ?? []));
        }
        if ($link) {
            peb_close($link);
        }
    }
    return $logs;
}

/** Fault windows [from, to, minority nodes, partition?] from the events. */
function windows(array $events): array
{
    $windows = [];
    $open = null;
    foreach ($events as $e) {
        if ($e['what'] === 'fault') {
            $open = $e;
        } elseif ($e['what'] === 'heal' && $open) {
            $windows[] = [$open['t'], $e['t'], $open['minority'], $open['partition']];
            $open = null;
        }
    }
    return $windows;
}

/** The ids an op read (recorded joined by commas), as a set. */
function read_set(?string $read): array
{
    return $read === null || $read === '' ? [] : array_flip(explode(',', $read));
}

function example(string $what, string $text): void
{
    static $shown = [];
    if (($shown[$what] = ($shown[$what] ?? 0) + 1) <= 3) {
        fwrite(STDERR, "  $what: $text\n");
    }
}

function judge(string $dir, string $fault, array $nodes): array
{
    $ops = [];
    foreach (glob("$dir/w*.jsonl") as $f) {
        array_push($ops, ...jsonl($f));
    }
    $by_sid = [];
    foreach ($ops as $o) {
        $by_sid[$o['sid']][] = $o;
    }
    $final = final_logs($nodes, array_keys($by_sid));
    $row = ['fault' => $fault, 'ops' => count($ops), 'acked' => 0, 'unsure' => 0, 'lost' => 0, 'differ' => 0,
            'unread' => 0, 'double' => 0, 'stale' => 0, 'maj' => [0, 0], 'min' => [0, 0], 'partition' => false];

    // availability during the faults, by side
    foreach (windows(jsonl("$dir/events.jsonl")) as [$from, $to, $minority, $partition]) {
        $row['partition'] = $row['partition'] || $partition;
        foreach ($ops as $o) {
            if ($o['kind'] === 'w' && $o['t0'] >= $from && $o['t0'] < $to) {
                $side = in_array($o['home'], $minority, true) ? 'min' : 'maj';
                $row[$side][0] += $o['ok'] ? 1 : 0;
                $row[$side][1]++;
            }
        }
    }
    unset($ops);
    foreach ($by_sid as $sid => $list) {
        // what each op read, as a set: built for one session at a time
        foreach ($list as $k => $o) {
            $list[$k]['set'] = read_set($o['read']);
            $list[$k]['n'] = count($list[$k]['set']);
        }
        $acked = array_values(array_filter($list, fn ($o) => $o['kind'] === 'w' && $o['ok']));
        $row['acked'] += count($acked);
        $row['unsure'] += count(array_filter($list, fn ($o) => $o['unsure'] ?? false));

        // lost, and replicas that differ
        $logs = array_column(array_map(fn ($n) => [$n, $final[$n][$sid]], $nodes), 1, 0);
        $read = array_filter($logs, fn ($l) => $l !== null);
        $row['unread'] += count($logs) - count($read);
        if (count(array_unique(array_map('json_encode', $read))) > 1) {
            $row['differ']++;
            example('differ', "$sid: " . implode(', ', array_map(fn ($n, $l) => "$n has " . count($l), array_keys($read), $read)));
        }
        $sets = array_map('array_flip', $read);
        foreach ($acked as $o) {
            $missing = array_keys(array_filter($sets, fn ($s) => !isset($s[$o['op']])));
            if ($missing) {
                $row['lost']++;
                example('lost', "$sid op {$o['op']} (acknowledged) missing through " . implode(', ', $missing));
            }
        }

        // double grants: overlapping acknowledged writes, neither reading the other
        usort($acked, fn ($a, $b) => $a['t0'] <=> $b['t0']);
        foreach ($acked as $i => $a) {
            for ($j = $i + 1; $j < count($acked) && $acked[$j]['t0'] <= $a['tack']; $j++) {
                $b = $acked[$j];
                if (!isset($b['set'][$a['op']]) && !isset($a['set'][$b['op']])) {
                    $row['double']++;
                    example('double grant', "$sid ops {$a['op']} and {$b['op']} read {$a['n']} and {$b['n']} ids"
                        . ($a['read'] === $b['read'] ? ' (the same log)' : '') . ', neither the other, and both were acknowledged');
                }
            }
        }

        // stale reads: acknowledged before the op started, and not in its read
        usort($acked, fn ($a, $b) => $a['tack'] <=> $b['tack']);
        foreach ($list as $o) {
            if ($o['read'] === null) {
                continue;
            }
            foreach ($acked as $p) {
                if ($p['tack'] >= $o['t0']) {
                    break;
                }
                if (!isset($o['set'][$p['op']])) {
                    $row['stale']++;
                    example('stale read', "$sid op {$o['op']} read {$o['n']} ids without {$p['op']}, acknowledged "
                        . intdiv($o['t0'] - $p['tack'], 1000) . ' ms before it started');
                    break;
                }
            }
        }
    }

    fwrite(STDERR, "  {$row['ops']} ops, {$row['acked']} writes acknowledged, {$row['unsure']} not known (see workload.php)\n");
    return $row;
}

/** Whether a row shows a violation. */
function failed(array $r): bool
{
    return isset($r['error']) || $r['lost'] || $r['differ'] || $r['unread'] || $r['double'] || $r['stale']
        || ($r['partition'] && $r['maj'][1] > 0 && $r['maj'][0] === 0);
}

function side(array $s): string
{
    return $s[1] ? sprintf('%d%% (%d/%d)', intdiv(100 * $s[0], $s[1]), $s[0], $s[1]) : '-';
}

function table(array $rows): int
{
    $fmt = "%-11s | %6s | %-26s | %13s | %11s | %s\n";
    printf($fmt, 'fault', 'acked', 'lost', 'double grants', 'stale reads', 'availability (majority side / minority side)');
    echo str_repeat('-', 114), "\n";
    $lost = $double = $bad = 0;
    foreach ($rows as $r) {
        if (isset($r['error'])) {
            printf("%-11s | %s\n", $r['fault'], "not run: {$r['error']}");
            $bad++;
            continue;
        }
        $note = array_filter([$r['differ'] ? "{$r['differ']} sessions differ" : '', $r['unread'] ? "{$r['unread']} unread" : '']);
        printf($fmt, $r['fault'], $r['acked'], $r['lost'] . ($note ? ' (' . implode(', ', $note) . ')' : ''),
            $r['double'], $r['stale'], side($r['maj']) . ' / ' . side($r['min']) . (failed($r) ? '   FAIL' : ''));
        $lost += $r['lost'];
        $double += $r['double'];
        $bad += failed($r) ? 1 : 0;
    }
    printf("partitions: %d faults, %d lost, %d double grants\n", count($rows), $lost, $double);
    return $bad ? 1 : 0;
}

if (($argv[1] ?? '') === '--table') {
    exit(table(jsonl($argv[2])));
}
[, $dir, $fault] = $argv;
fwrite(STDERR, "$fault:\n");
echo json_encode(judge($dir, $fault, array_slice($argv, 3))), "\n";
