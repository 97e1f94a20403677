<?php
// The PHP half of scripts/tests/examples (read its header for the rules):
// extracts the fenced blocks of README.md and docs/*.md, runs them in doc
// order (```php in a child `php -n -c INI`, ```erlang through
// examples.erl in a node, ```ini checked with ini_get, ```sh per command)
// and checks the comments that state results. `--nodes`: prints the
// nodes name@127.0.0.1 that the php/ini/erlang blocks name (the script
// starts them). Prints one line per failure and per block not run, then
// `examples: N run, M checked, F failed`; exits 1 on a failure.

const STORE = 'sessions@127.0.0.1';   // where ```erlang blocks run (the README's store)
const SHELL = 'shell@127.0.0.1';      // ... a `1> ` transcript: a stock node beside session_handler.erl

$repo = dirname(__DIR__, 2);
chdir($repo);
$files = array_merge(['README.md'], glob('docs/*.md'));

/** The fenced blocks of a file: [file, line, lang, text, mark]. */
function blocks(string $file): array
{
    $out = [];
    $lines = file($file, FILE_IGNORE_NEW_LINES);
    for ($i = 0; $i < count($lines); $i++) {
        if (!preg_match('/^```(\w*)\s*$/', $lines[$i], $m)) {
            continue;
        }
        $mark = null;
        for ($j = $i - 1; $j >= 0 && trim($lines[$j]) === ''; $j--);
        if ($j >= 0 && preg_match('/^<!-- example: (.*) -->$/', $lines[$j], $a)) {
            $mark = $a[1];
        }
        $start = $i + 1;
        for ($i++; $i < count($lines) && !preg_match('/^```\s*$/', $lines[$i]); $i++);
        $out[] = ['file' => $file, 'line' => $start, 'lang' => $m[1] ?: 'output',
                  'text' => implode("\n", array_slice($lines, $start, $i - $start)), 'mark' => $mark];
    }
    return $out;
}

$all = [];
foreach ($files as $f) {
    $all = array_merge($all, blocks($f));
}

if (($argv[1] ?? '') === '--nodes') {
    $names = [STORE];
    foreach ($all as $b) {
        if (in_array($b['lang'], ['php', 'ini', 'erlang'], true) && preg_match_all('/\b([a-z][a-z0-9_]*)@127\.0\.0\.1(?![0-9])/', $b['text'], $m)) {
            $names = array_merge($names, $m[0]);
        }
    }
    echo implode("\n", array_unique($names)), "\n";
    exit(0);
}

$dir = getenv('PEB_EXAMPLES_DIR');
$ext = getenv('PEB_EXTENSION');
$cookie = getenv('PEB_TEST_COOKIE');
$stats = ['run' => 0, 'checked' => 0, 'values' => 0, 'prose' => 0, 'failed' => 0];
$kinds = [];
$notes = [];

function fail(array $b, string $what): void
{
    $GLOBALS['stats']['failed']++;
    echo "FAIL {$b['file']}:{$b['line']} ({$b['lang']}): $what\n";
}

/** A comment found true: listed, so that what the test checks is visible. */
function checked(array $b, int $k, string $comment): void
{
    $GLOBALS['notes'][] = sprintf('%s:%d (%s): checked %s', $b['file'], $b['line'] + $k + 1, $b['lang'],
                                  strlen($comment) > 70 ? substr($comment, 0, 67) . '...' : $comment);
}

function note(array $b, string $what): void
{
    $GLOBALS['notes'][] = "{$b['file']}:{$b['line']} ({$b['lang']}): $what";
}

/** 'SECRET', the docs' one placeholder for a cookie, becomes the harness's random one. */
function secret(string $s): string { return str_replace('SECRET', $GLOBALS['cookie'], $s); }

/** A readable form of a value: strings with their bytes escaped, arrays compact. */
function repr($v): string
{
    if (is_string($v)) {
        return '"' . preg_replace_callback('/[^\x20-\x7e]|["\\\\$]/', fn($m) =>
            strlen($m[0]) === 1 && ord($m[0]) >= 0x20 && ord($m[0]) < 0x7f ? '\\' . $m[0] : sprintf('\x%02x', ord($m[0])), $v) . '"';
    }
    if (is_array($v)) {
        if (isset($v['__term__'])) {
            return 'Erlang term ' . $v['__term__'];
        }
        $list = array_is_list($v);
        $parts = [];
        foreach ($v as $k => $x) {
            $parts[] = ($list ? '' : repr($k) . ' => ') . repr($x);
        }
        return '[' . implode(', ', $parts) . ']';
    }
    return var_export($v, true);
}

// --- PHP comments ---------------------------------------------------------------

/** The leading PHP literal of a comment: ['src' => text, 'value' => v] or null. */
function php_literal(string $text): ?array
{
    $toks = array_slice(token_get_all('<?php ' . $text), 1);
    $i = 0;
    $ok = literal($toks, $i);
    if (!$ok) {
        return null;
    }
    $rest = implode('', array_map(fn($t) => is_array($t) ? $t[1] : $t, array_slice($toks, $i)));
    if ($rest !== '' && !preg_match('/^(\s|[:;,(])/', $rest)) {
        return null;
    }
    $src = substr($text, 0, strlen($text) - strlen($rest));
    // `...` (an array's "more keys allowed") becomes a marker same() knows.
    $code = implode('', array_map(fn($t) => is_array($t) ? ($t[0] === T_ELLIPSIS ? "'\0more'" : $t[1]) : $t,
                                  array_slice($toks, 0, $i)));
    return ['src' => trim($src), 'value' => eval("return $code;")];
}

function literal(array $t, int &$i): bool
{
    $id = fn($k) => is_array($t[$k] ?? null) ? $t[$k][0] : ($t[$k] ?? null);
    $skip = function () use (&$i, $t, $id) { while ($id($i) === T_WHITESPACE) { $i++; } };
    $skip();
    $x = $t[$i] ?? null;
    if ($x === '[') {
        $i++;
        $skip();
        if (($t[$i] ?? null) === ']') { $i++; return true; }
        while (true) {
            $skip();
            if ($id($i) === T_ELLIPSIS) {
                $i++;
            } else {
                if (!literal($t, $i)) { return false; }
                $skip();
                if ($id($i) === T_DOUBLE_ARROW) { $i++; if (!literal($t, $i)) { return false; } }
            }
            $skip();
            if (($t[$i] ?? null) === ',') { $i++; continue; }
            if (($t[$i] ?? null) === ']') { $i++; return true; }
            return false;
        }
    }
    if ($x === '-') { $i++; $x = $t[$i] ?? null; }
    if (is_array($x) && in_array($x[0], [T_LNUMBER, T_DNUMBER, T_CONSTANT_ENCAPSED_STRING], true)) { $i++; return true; }
    if (is_array($x) && $x[0] === T_STRING && in_array(strtolower($x[1]), ['true', 'false', 'null'], true)) { $i++; return true; }
    return false;
}

/** Whether `$got` is what `$want` states ("\0more" in an array: more keys allowed). */
function same($got, $want): bool
{
    if (!is_array($want)) {
        return $got === $want;
    }
    if (!is_array($got) || isset($got['__term__'])) {
        return false;
    }
    $more = in_array("\0more", $want, true);
    $want = array_filter($want, fn($x) => $x !== "\0more");
    if (!$more && array_keys($got) !== array_keys($want)) {
        return false;
    }
    foreach ($want as $k => $x) {
        if (!array_key_exists($k, $got) || !same($got[$k], $x)) {
            return false;
        }
    }
    return true;
}

/** Splits a code line into code and its trailing // comment (null when none). */
function php_comment(string $line): array
{
    $toks = token_get_all('<?php ' . $line);
    $last = end($toks);
    if (is_array($last) && $last[0] === T_COMMENT && str_starts_with($last[1], '//')) {
        $code = substr($line, 0, strlen($line) - strlen($last[1]));
        return [rtrim($code), trim(substr($last[1], 2))];
    }
    return [$line, null];
}

// --- running PHP ----------------------------------------------------------------

/** An ini file: the block's settings (SECRET substituted) over the harness's base. */
function ini_file(string $text, string $name): string
{
    global $dir, $ext;
    $has = preg_match('/^\s*extension\s*=/m', $text);
    $base = $has ? "extension_dir = \"$dir/ext\"\n" : "extension = \"$ext\"\n";
    $seen = false;   // a block over the README's: its `extension = peb` once
    $text = implode("\n", array_filter(explode("\n", $text), function ($l) use (&$seen) {
        if (!preg_match('/^\s*extension\s*=/', $l)) { return true; }
        return !$seen && ($seen = true);
    }));
    $path = "$dir/$name.ini";
    file_put_contents($path, $base . secret($text) . "\n");
    return $path;
}

const PROLOGUE = <<<'PHP'
<?php
function __ex_cap($v) {
    if (is_resource($v)) {
        return ['__term__' => get_resource_type($v) === 'Erlang Term' ? peb_print_term($v, true) : get_resource_type($v)];
    }
    return is_array($v) ? array_map('__ex_cap', $v) : (is_object($v) ? ['__object__' => get_class($v)] : $v);
}
function __ex_rec($n, $v) {
    file_put_contents(getenv('PEB_EXAMPLE_OUT'), base64_encode(serialize([$n, __ex_cap($v)])) . "\n", FILE_APPEND);
    return $v;
}
register_shutdown_function(function () { __ex_rec('session_id', session_id()); });
PHP;

/**
 * Runs PHP code (lines of a block, with `$context` before them) under the
 * ini file; the commented lines record their value. Returns [ok, values
 * by line index, session id, output].
 */
function run_php(array $b, array $lines, string $context, string $ini, array $checks): array
{
    global $dir;
    $src = PROLOGUE . "\n" . $context . "\n";
    foreach ($lines as $k => $line) {
        if (!isset($checks[$k])) {
            $src .= $line . "\n";
            continue;
        }
        $code = $checks[$k];
        if (!str_ends_with($code, ';')) {
            return [false, [], '', "line " . ($b['line'] + $k + 1) . ": a comment stating a value must end a whole statement"];
        }
        $stmt = substr($code, 0, -1);
        if (preg_match('/^(\[\s*(\$\w+)\s*\]|(\$\w+))\s*=(?!=)/', $stmt, $m)) {
            $src .= "$code __ex_rec($k, " . ($m[2] ?: $m[3]) . ");\n";
        } elseif (preg_match('/^(print_r|var_dump|var_export)\((.*)\)$/s', $stmt, $m)) {
            $src .= "{$m[1]}(__ex_rec($k, ({$m[2]})));\n";
        } else {
            $src .= "__ex_rec($k, ($stmt));\n";
        }
    }
    $file = "$dir/block.php";
    $out = "$dir/block.out";
    file_put_contents($file, secret($src));
    @unlink($out);
    $cmd = [PHP_BINARY, '-n', '-c', $ini, '-d', 'display_errors=stderr', '-d', 'error_reporting=-1', $file];
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, getcwd(),
                   ['PEB_EXAMPLE_OUT' => $out, 'HOME' => getenv('PEB_ENV_DIR') . '/erlang'] + getenv());
    $stdout = stream_get_contents($pipes[1]);
    $stderr = stream_get_contents($pipes[2]);
    $rc = proc_close($p);
    $values = [];
    $sid = '';
    foreach (file($out, FILE_IGNORE_NEW_LINES) ?: [] as $rec) {
        [$n, $v] = unserialize(base64_decode($rec));
        if ($n === 'session_id') { $sid = (string) $v; } else { $values[$n] = $v; }
    }
    $ok = $rc === 0 && trim($stderr) === '';
    return [$ok, $values, $sid, "exit $rc; stderr: " . trim($stderr) . "; stdout: " . trim($stdout)];
}

function php_block(array $b, string $ini, string $context): string
{
    global $stats;
    $lines = explode("\n", $b['text']);
    $checks = $want = [];
    foreach ($lines as $k => $line) {
        [$code, $comment] = php_comment($line);
        if ($comment === null || trim($code) === '') {
            if ($comment !== null) { $stats['prose']++; }
            continue;
        }
        $lit = php_literal($comment);
        $term = $lit === null && preg_match('/^([\[{<#].*?)(?=\s\(|:\s|$)/', $comment, $m) ? $m[1] : null;
        if ($lit === null && $term === null) {
            $stats['prose']++;
            continue;
        }
        $checks[$k] = trim($code);
        $want[$k] = [$lit, $lit['src'] ?? $term, $comment];
    }
    [$ok, $values, $sid, $out] = run_php($b, $lines, $context, $ini, $checks);
    $stats['run']++;
    if (!$ok) {
        fail($b, "the block did not run cleanly: $out");
        return $sid;
    }
    foreach ($want as $k => [$lit, $src, $comment]) {
        $stats['checked']++;
        $stats['values']++;
        $where = "line " . ($b['line'] + $k + 1) . ": " . trim($lines[$k]);
        if (!array_key_exists($k, $values)) {
            fail($b, "$where\n    the line did not run");
            continue;
        }
        $got = $values[$k];
        if (is_array($got) && isset($got['__term__'])) {
            $good = preg_replace('/\s+/', '', $got['__term__']) === preg_replace('/\s+/', '', $src);
        } else {
            $good = $lit !== null && same($got, $lit['value']);
        }
        if (!$good) {
            fail($b, "$where\n    the comment says: $src\n    the line gives:   " . repr($got));
        } else {
            checked($b, $k, $src);
        }
    }
    return $sid;
}

// --- Erlang -----------------------------------------------------------------------

function erl_call(string $node, string $f, string $fmt, array $args)
{
    global $links;
    $links[$node] ??= peb_connect($node, $GLOBALS['cookie'], 30000);
    $r = peb_rpc('examples', $f, peb_encode($fmt, [$args]), $links[$node]);
    return $r === false ? false : peb_decode($r)[0];
}

/** The statements of an Erlang block: [line index, code, comment]. */
function erl_statements(string $text): array
{
    $lines = explode("\n", $text);
    $out = [];
    if (preg_match('/^\d+> /', $lines[0])) {   // a shell transcript: the result lines follow each prompt
        foreach ($lines as $k => $line) {
            if (preg_match('/^\d+> (.*?)\.\s*$/', $line, $m)) {
                $out[] = [$k, $m[1], ''];
            } elseif ($out) {
                $out[count($out) - 1][2] .= ($out[count($out) - 1][2] === '' ? '' : ' ') . trim($line);
            }
        }
        return $out;
    }
    $cur = '';
    $first = null;
    foreach ($lines as $k => $line) {
        [$code, $comment] = erl_comment($line);
        if (trim($code) === '') {
            if ($comment !== null && $out && $out[count($out) - 1][3]) {   // %% lines under a statement
                $c = &$out[count($out) - 1][2];
                $c .= ($c === '' ? '' : ' | ') . ltrim($comment, '% ');
                unset($c);
            } elseif ($comment !== null) {
                $GLOBALS['stats']['prose']++;
            }
            continue;
        }
        $first ??= $k;
        $cur .= ($cur === '' ? '' : "\n") . $code;
        // A statement ends with , or . outside brackets (strings aside).
        $depth = preg_match_all('/[(\[{]/', preg_replace('/"[^"]*"/', '', $cur))
            - preg_match_all('/[)\]}]/', preg_replace('/"[^"]*"/', '', $cur));
        if ($depth === 0 && preg_match('/[,.]\s*$/', $code)) {
            $out[] = [$first, preg_replace('/[,.]\s*$/', '', $cur), (string) $comment, $comment === null];
            $cur = '';
            $first = null;
        }
    }
    if (trim($cur) !== '') {
        $out[] = [$first, $cur, '', false];
    }
    return $out;
}

function erl_comment(string $line): array
{
    $in = false;
    for ($i = 0; $i < strlen($line); $i++) {
        $c = $line[$i];
        if ($c === '$') { $i++; continue; }
        if ($c === '"') { $in = !$in; }
        if ($c === '%' && !$in) {
            return [substr($line, 0, $i), trim(substr($line, $i + 1))];
        }
    }
    return [$line, null];
}

function erlang_block(array $b, string $id): void
{
    global $stats;
    $node = preg_match('/^\d+> /', $b['text']) ? SHELL : STORE;
    $state = erl_call($node, 'init', '[~b]', [$id]);
    $lines = explode("\n", $b['text']);
    $stats['run']++;
    foreach (erl_statements($b['text']) as [$k, $code, $comment]) {
        $r = erl_call($node, 'eval', '[~b,~b,~b]', [$code, $comment, $state]);
        if ($r === false) {
            fail($b, "no answer from $node: " . peb_error());
            return;
        }
        [$kind, $status, $detail, $state] = $r;
        if ($kind === 'checked' || $kind === 'prose') {
            $stats[$kind]++;
        }
        if ($kind === 'checked') {
            $stats['values']++;
        }
        $where = "line " . ($b['line'] + $k + 1) . ": " . trim($lines[$k]);
        if ($status === 'error') {
            fail($b, "$where\n    raised $detail");
            return;
        }
        if ($status === 'mismatch') {
            fail($b, "$where\n    the comment says: $comment\n    the line gives:   $detail");
        } elseif ($kind === 'checked') {
            checked($b, $k, $comment);
        }
    }
}

// --- a fresh store for each file -----------------------------------------------------

/**
 * Each file's examples start from empty nodes (one doc's sessions must not
 * change another's counts): the named nodes are stopped by pid and started
 * again, stock, through scripts/lib/peb-env, each waited for until its
 * -eval said it is ready.
 */
function fresh_nodes(array $names): void
{
    global $dir, $links, $restarts;
    $links = [];
    $restarts++;
    $env = getcwd() . '/scripts/lib/peb-env';
    foreach ($names as $node) {
        $short = strstr($node, '@', true);
        exec(escapeshellarg($env) . ' stop ' . escapeshellarg("node-$short") . ' 2>&1', $o, $rc);
        $log = "$dir/$short.$restarts.log";
        $p = proc_open([$env, 'node', 'start', $node, '--stock', '--log', $log, '--',
                        '-pa', "$dir/ebin", '-eval', 'io:format("peb-env: ready~n")'],
                       [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $dir);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        if (proc_close($p) !== 0) {
            fwrite(STDERR, "examples: $node did not start again: $out\n");
            exit(1);
        }
        for ($i = 0; !str_contains((string) @file_get_contents($log), "peb-env: ready\n"); $i++) {
            if ($i === 200) {
                fwrite(STDERR, "examples: $node did not get ready (log: $log)\n");
                exit(1);
            }
            usleep(100000);
        }
    }
}

// --- sh -------------------------------------------------------------------------

/** What runs each shell command, when not this test: [pattern, stage]. */
const COVERED = [
    ['#^scripts/start\b#', 'browser (scripts/tests/browser runs scripts/start)'],
    ['#^scripts/stop\b#', 'browser (scripts/tests/browser)'],
    ['#^scripts/test\b#', 'scripts/test itself'],
    ['#^scripts/setup\b#', 'scripts/test (its first step; rebar3 release included)'],
    ['#^scripts/package\b|^apt install|^tar xzf|^phpize|^make test|\| sudo tee|^systemctl|^runuser#', 'package (scripts/tests/package)'],
    ['#^cd erlang$|^rebar3 (eunit|dialyzer)#', 'eunit and dialyzer (scripts/test), package (rebar3 eunit)'],
    ['#^rebar3 release#', 'scripts/setup (the store\'s release)'],
    ['#^RA=|^erl -sname s\d#', 'phpt cluster_*.phpt and partitions (scripts/lib/env/erlang.sh forms clusters with these commands)'],
    ['#^(PEB_\w+=\S+ )?scripts/tests/partitions#', 'partitions (scripts/tests/partitions)'],
    ['#^scripts/(tests|lib)/chroot|^scripts/tests/debian13#', 'debian13 (scripts/tests/debian13)'],
    ['#^scripts/tests/fresh#', 'fresh (scripts/tests/fresh, by hand)'],
];
/** Commands this test runs, as written but for the extension's path: [pattern, argv]. */
function runnable(string $cmd): ?array
{
    if ($cmd === 'php --ri peb') {
        return [PHP_BINARY, '-n', '-d', 'extension=' . $GLOBALS['ext'], '--ri', 'peb'];
    }
    return null;
}

function sh_block(array $b): void
{
    global $stats;
    $cmds = [];
    $cur = '';
    foreach (explode("\n", $b['text']) as $line) {
        $line = preg_replace('/(^|\s)#.*$/', '', $line);
        if (trim($line) === '') { continue; }
        $cur .= trim($line);
        if (str_ends_with($cur, '\\')) { $cur = rtrim(substr($cur, 0, -1)) . ' '; continue; }
        $cmds[] = $cur;
        $cur = '';
    }
    $ran = false;
    foreach ($cmds as $cmd) {
        if ($argv = runnable($cmd)) {
            $p = proc_open($argv, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            $o = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
            if (proc_close($p) !== 0 || !str_contains($o, 'peb')) {
                fail($b, "`$cmd` failed: $o");
            }
            $ran = true;
            note($b, "ran `$cmd`");
            continue;
        }
        foreach (COVERED as [$re, $stage]) {
            if (preg_match($re, $cmd)) {
                note($b, "covered elsewhere: `" . (strlen($cmd) > 60 ? substr($cmd, 0, 57) . '...' : $cmd) . "` by $stage");
                continue 2;
            }
        }
        fail($b, "`$cmd`: neither run here nor named as covered elsewhere (add it to COVERED or runnable() in scripts/tests/examples.php)");
    }
    if ($ran) { $stats['run']++; }
}

// --- the blocks, in doc order ---------------------------------------------------------

// The base php.ini of every ```php block: the README's session settings
// (its ```ini block), unless its file has an ```ini block before it.
$readme_ini = null;
foreach ($all as $b) {
    if ($b['file'] === 'README.md' && $b['lang'] === 'ini') { $readme_ini = $b['text']; break; }
}
$n = $restarts = 0;
$file = null;
$used = false;   // whether the nodes served an example of the current file
$nodes = array_filter(explode("\n", trim((string) shell_exec(escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__FILE__) . ' --nodes'))));
foreach ($all as $b) {
    if ($b['file'] !== $file) {
        if ($used) {
            fresh_nodes($nodes);
            $used = false;
        }
        $file = $b['file'];
        $ini = ini_file($readme_ini ?? '', 'base' . ++$n);
        $base_text = $readme_ini ?? '';
        $sid = '';
    }
    $kinds[$b['lang']] = ($kinds[$b['lang']] ?? 0) + 1;
    $mark = $b['mark'];
    if ($mark === 'fragment') {
        note($b, 'fragment, not run (<!-- example: fragment -->)');
        continue;
    }
    $context = '';
    if ($mark !== null) {
        if (!preg_match('/^context php: (.*)$/s', $mark, $m)) {
            fail($b, "unknown mark <!-- example: $mark -->");
            continue;
        }
        $context = $m[1];
        note($b, "with context (php): $context");
    }
    $used = $used || in_array($b['lang'], ['php', 'erlang'], true);
    switch ($b['lang']) {
        case 'php':
            $sid = php_block($b, $ini, $context) ?: $sid;
            break;
        case 'erlang':
            if ($context !== '') {   // the session the context writes is the block's Id
                $sid = php_block(['text' => '', 'lang' => 'php (context)'] + $b, $ini, $context) ?: $sid;
                $stats['run']--;
            }
            erlang_block($b, $sid);
            break;
        case 'ini':
            // Valid settings: a php -n -c with this file has each of them as written.
            $path = ini_file($b['text'], 'block' . ++$n);
            $want = parse_ini_string(secret($b['text']), false, INI_SCANNER_RAW);
            $code = 'echo json_encode(["peb" => extension_loaded("peb"), "ini" => array_map("ini_get", ' . var_export(array_combine(array_keys($want), array_keys($want)), true) . ')]);';
            $got = json_decode((string) shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-n', '-c', $path, '-r', $code])) . ' 2>&1'), true);
            $stats['run']++;
            foreach ($want as $k => $v) {
                $stats['checked']++;
                $actual = $k === 'extension' ? ($got['peb'] ?? false ? $v : 'not loaded') : ($got['ini'][$k] ?? null);
                if ($actual !== $v) {
                    fail($b, "$k = $v, but php -n -c has " . var_export($actual, true));
                }
            }
            // ... and the php.ini of the ```php blocks after it in this file.
            $ini = ini_file($base_text . "\n" . $b['text'], 'block' . ++$n);
            break;
        case 'sh':
            sh_block($b);
            break;
        case 'output':
            note($b, 'output of a command, not code: not run');
            break;
        case 'text':
            note($b, 'a drawing, not code: not run');
            break;
        default:
            fail($b, "a ```{$b['lang']} block: nothing here runs it");
    }
}

foreach ($notes as $line) {
    echo "  $line\n";
}
ksort($kinds);
echo 'examples: blocks: ' . implode(', ', array_map(fn($k, $v) => "$v $k", array_keys($kinds), $kinds))
    . "; checked: {$stats['values']} comments stating a value, " . ($stats['checked'] - $stats['values'])
    . " ini settings; {$stats['prose']} comments of prose (not checked)\n";
echo "examples: {$stats['run']} run, {$stats['checked']} checked, {$stats['failed']} failed\n";
exit($stats['failed'] ? 1 : 0);
