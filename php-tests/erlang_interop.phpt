--TEST--
Interop with a real Erlang VM: what PHP encodes, binary_to_term/1 reads; what term_to_binary/1 writes, PHP decodes and prints as Erlang does
--FILE--
<?php
// Runs erl once: decodes every hex argument and prints it, then prints
// term_to_binary of a fixed list of terms, each with its own ~p text.
$eval = <<<'ERL'
    P = fun(T) -> lists:flatten(io_lib:print(T, 1, 1000000, -1)) end,
    [File] = init:get_plain_arguments(),
    {ok, Hexes} = file:read_file(File),
    [io:format("from_php ~s~n", [P(binary_to_term(binary:decode_hex(H)))])
     || H <- binary:split(Hexes, <<"\n">>, [global, trim_all])],
    Terms = [0, -1, 255, 256, 1 bsl 31, -(1 bsl 31) - 1, 1 bsl 63 - 1, -(1 bsl 63), 1 bsl 64, -(1 bsl 100),
             0.1, -2.5, 1.0e10, 123456.0, 1.0e-5, 0.0001, 3.1415926, 1.0e100, 5.0e-324, 100.0, 1.2345678901234567e18,
             ok, 'Hello World', 'it\'s', '', 'and', a@b,
             "abc", "line\nbreak", [300, 400], [], {}, {a, {b, [c]}}, [1, 2 | 3],
             <<>>, <<"bin">>, <<0, 255>>, <<1:3>>, <<1, 2, 3:5>>,
             #{}, #{a => 1, b => <<"x">>}, #{1 => one, {1, 2} => two},
             fun lists:map/2],
    [io:format("to_php ~s ~s~n", [binary:encode_hex(term_to_binary(T)), P(T)]) || T <- Terms],
    halt().
    ERL;

$from_php = [
    ['~i', [PHP_INT_MAX]], ['~i', [PHP_INT_MIN]], ['~i', [-2147483649]], ['~u', [4294967296]],
    ['~f', [0.1]], ['~d', [1.0e10]], ['~f', [123456]], ['~f', [-0.0]],
    ['~a', ['ok']], ['~a', ['Hello World']], ['~a', ['it\'s']], ['~a', ['']],
    ['~s', ['abc']], ['~s', ['']], ['~s', [str_repeat('z', 70000)]], ['~b', ["\x00\xff"]], ['~b', ['text']],
    ['{~a,{~s,~i},[~b,~d],~a}', [['x', ['str', 7], ['bin', 2.5], 'y']]],
    ['{~i,{~a,[~s,~d]}}', [[1234, ['pi', ['is', 3.1415926]]]]],
    ['[]', [[]]], ['{}', [[]]],
    ['~v', [[1, 2, 3]]], ['~v', [[1 => 'a', 'k' => [true, false, null]]]], ['~v', [2.5]],
];
$hexes = '';
$mine = [];
foreach ($from_php as [$format, $data]) {
    $t = peb_vencode($format, $data);
    $hexes .= bin2hex(peb_term_to_binary($t)) . "\n";
    $mine[] = peb_print_term($t, true);
}
$file = tempnam(sys_get_temp_dir(), 'peb');
file_put_contents($file, $hexes);
$out = shell_exec('ERL_CRASH_DUMP_SECONDS=0 erl -noshell -eval ' . escapeshellarg($eval) . ' -extra ' . escapeshellarg($file) . ' 2>&1');
unlink($file);
$lines = explode("\n", trim($out));

$i = 0;
$bad = 0;
foreach ($lines as $line) {
    if (str_starts_with($line, 'from_php ')) {
        $theirs = substr($line, 9);
        if ($theirs !== $mine[$i]) {
            $bad++;
            echo "PHP -> Erlang mismatch: {$from_php[$i][0]}: erlang read $theirs, peb printed {$mine[$i]}\n";
        }
        $i++;
    } elseif (str_starts_with($line, 'to_php ')) {
        [, $hex, $text] = explode(' ', $line, 3);
        $bytes = hex2bin(strtolower($hex));
        $printed = peb_print_term($bytes, true);
        if ($printed !== $text) {
            $bad++;
            echo "Erlang -> PHP mismatch: erlang printed $text, peb printed $printed\n";
        }
    } else {
        echo "unexpected erl output: $line\n";
    }
}
echo "terms PHP encoded and Erlang decoded: $i\n";
echo "mismatches: $bad\n";
?>
--EXPECT--
terms PHP encoded and Erlang decoded: 24
mismatches: 0
