<?php
// The codec half of peb, end to end: PHP encodes terms with mypeb's format
// strings, a real Erlang VM (erl) decodes them with binary_to_term/1 and
// answers with a term of its own, which PHP decodes.

function erlang(string $bytes): string
{
    // The Erlang side prints what it received, then replies in hex.
    $eval = <<<'ERL'
        [Hex] = init:get_plain_arguments(),
        T = binary_to_term(binary:decode_hex(list_to_binary(Hex))),
        io:format("  erlang received: ~p~n", [T]),
        Reply = {echo, T, self(), make_ref(), #{<<"pi">> => 3.14159, node => node()}, 1 bsl 70},
        io:format("~s~n", [binary:encode_hex(term_to_binary(Reply))]),
        halt().
        ERL;
    $cmd = 'erl -noshell -eval ' . escapeshellarg($eval) . ' -extra ' . bin2hex($bytes);
    $out = explode("\n", trim(shell_exec($cmd) ?? ''));
    $hex = array_pop($out);
    echo implode("\n", $out), "\n";
    return hex2bin($hex);
}

$examples = [
    ['{~a,~s,~i,~f}', [['hello', 'world', 42, 3.5]]],
    ['{~i,{~a,[~s,~d]}}', [[1234, ['pi', ['is', 3.1415926]]]]],
    ['[~b,~u,~a]', [["binary\0safe", PHP_INT_MAX, 'Quoted Atom']]],
    ['~v', [['user' => 'alice', 'roles' => ['admin', 'dev'], 'active' => true, 'score' => null]]],
];

foreach ($examples as [$format, $data]) {
    $term = peb_vencode($format, $data);
    echo "peb_vencode('$format'): ", peb_print_term($term, true), "\n";
    $reply = erlang(peb_term_to_binary($term));
    echo "  php decoded reply: ", peb_print_term($reply, true), "\n";
    $decoded = peb_vdecode($reply)[0];
    printf("  reply[0] = %s, reply[1] is %s, pid resource: %s, bigint: %s\n\n",
        $decoded[0], gettype($decoded[1]), get_resource_type($decoded[2]), $decoded[5]);
}

echo "bad input is data, not a crash: peb_vdecode(\"\\x83l\\x7f\\xff\\xff\\xffjj\") = ";
var_dump(peb_vdecode("\x83l\x7f\xff\xff\xffjj"));
echo "peb_errorno() = ", peb_errorno(), ", peb_error() = ", peb_error(), "\n";
