--TEST--
peb_encode: every directive writes the term Erlang expects, in its smallest encoding
--FILE--
<?php
function hex($format, $data) {
    $t = peb_encode($format, $data);
    $v = peb_vencode($format, $data);
    // Same term either way; only the versioned one is marked as such.
    assert(peb_term_to_binary($t) === peb_term_to_binary($v));
    return bin2hex(substr(peb_term_to_binary($t), 1)) . '  ' . peb_print_term($t, true);
}
echo hex('~a', ['ok']), "\n";
echo hex('~a', ['Hello World']), "\n";
echo hex('~a', ['héllo']), "\n";
echo hex('~s', ['abc']), "\n";
echo hex('~s', ['']), "\n";
echo hex('~b', ["a\0b"]), "\n";
echo hex('~b', ['']), "\n";
echo hex('~i', [0]), "\n";
echo hex('~i', [255]), "\n";
echo hex('~l', [256]), "\n";
echo hex('~i', [-1]), "\n";
echo hex('~i', [2147483647]), "\n";
echo hex('~i', [2147483648]), "\n";
echo hex('~i', [-2147483649]), "\n";
echo hex('~i', [PHP_INT_MAX]), "\n";
echo hex('~i', [PHP_INT_MIN]), "\n";
echo hex('~u', [7]), "\n";
echo hex('~i', ['42']), "\n";
echo hex('~i', [3.0]), "\n";
echo hex('~f', [1.5]), "\n";
echo hex('~d', [2]), "\n";
echo hex('[]', [[]]), "\n";
echo hex('{}', [[]]), "\n";
echo hex('[~i, ~i]', [[1, 2]]), "\n";
echo hex('{~a,~i}', [['x', 1]]), "\n";
echo hex(' { ~a , [ ~i ] } ', [['y', [5]]]), "\n";
echo hex('~s', [str_repeat('a', 65535)]) === '6bffff' . str_repeat('61', 65535) . '  "' . str_repeat('a', 65535) . '"' ? "65535-byte string is STRING_EXT\n" : "wrong\n";
$long = peb_decode(peb_encode('~s', [str_repeat('b', 65536)]))[0];
echo "65536-byte string is a list of ", count($long), " integers, first ", $long[0], "\n";

// The issue's example decodes back to its data.
$data = [[1234, ['pi', ['is', 3.1415926]]]];
var_dump(peb_decode(peb_encode('{~i,{~a,[~s,~d]}}', $data)) === $data);
var_dump(peb_decode(peb_encode('[]', [[]])));

// The data array is consumed by position, whatever its keys.
echo peb_print_term(peb_encode('{~a,~i}', [['k' => 'a', 'z' => 1]]), true), "\n";
echo peb_print_term(peb_encode('{~a,~i}', [[5 => 'b', 3 => 2]]), true), "\n";
?>
--EXPECT--
77026f6b  ok
770b48656c6c6f20576f726c64  'Hello World'
770668c3a96c6c6f  héllo
6b0003616263  "abc"
6a  []
6d00000003610062  <<97,0,98>>
6d00000000  <<>>
6100  0
61ff  255
6200000100  256
62ffffffff  -1
627fffffff  2147483647
6e040000000080  2147483648
6e040101000080  -2147483649
6e0800ffffffffffffff7f  9223372036854775807
6e08010000000000000080  -9223372036854775808
6107  7
612a  42
6103  3
463ff8000000000000  1.5
464000000000000000  2.0
6a  []
6800  {}
6c00000002610161026a  [1,2]
68027701786101  {x,1}
68027701796c0000000161056a  {y,[5]}
65535-byte string is STRING_EXT
65536-byte string is a list of 65536 integers, first 98
bool(true)
array(1) {
  [0]=>
  array(0) {
  }
}
{a,1}
{b,2}
