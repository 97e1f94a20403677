--TEST--
peb_encode: ~v maps any PHP value by its type; ~P and ~v embed term resources
--FILE--
<?php
function show($v) { echo peb_print_term(peb_encode('~v', [$v]), true), "\n"; }
show(1);
show(-5000000000);
show(2.5);
show("text");
show(true);
show(false);
show(null);
show([]);
show([1, 2, 3]);
show([1 => 'a', 2 => 'b']);
show(['name' => 'bob', 7 => [true]]);
$ref = [1, 2];
$arr = [&$ref];
show($arr);

// Resources embed as the term they hold.
$inner = peb_encode('{~a,~i}', [['inner', 1]]);
echo peb_print_term(peb_encode('[~P,~v]', [[$inner, $inner]]), true), "\n";
$v = peb_vencode('~a', ['x']);
echo peb_print_term(peb_encode('{~P}', [[$v]]), true), "\n";

// Decoded values go back unchanged.
$orig = ['a' => [1, 2.5, 'x'], 'b' => []];
$back = peb_decode(peb_encode('~v', [$orig]))[0];
var_dump($back === $orig);
?>
--EXPECT--
1
-5000000000
2.5
<<"text">>
true
false
undefined
[]
[1,2,3]
#{1 => <<"a">>,2 => <<"b">>}
#{<<"name">> => <<"bob">>,7 => [true]}
[[1,2]]
[{inner,1},{inner,1}]
{x}
bool(true)
