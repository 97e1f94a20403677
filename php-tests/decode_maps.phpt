--TEST--
peb_decode/peb_vdecode: maps from real Erlang term_to_binary become arrays keyed by the decoded key
--FILE--
<?php
// Bytes below are term_to_binary(T) from Erlang/OTP 25 (version byte 131 first).
function dec($hex) {
    $bytes = hex2bin($hex);
    $v = peb_vdecode($bytes);
    if (peb_decode(substr($bytes, 1)) !== $v) echo "peb_decode without 131 differs for $hex\n";
    if (!is_array($v) || count($v) !== 1 || !array_key_exists(0, $v)) { echo "bad shape: "; var_dump($v); }
    return $v[0];
}
function show($label, $hex) {
    echo $label, ": "; var_dump(dec($hex));
    echo "  print: ", peb_print_term(hex2bin($hex), true), "\n";
}

show('#{}', '837400000000');
show('#{a => 1,b => 2}', '837400000002640001616101640001626102');
// Binary keys are string keys; PHP makes "5" the integer key 5.
show('#{<<"5">> => five,<<"x">> => 1}', '8374000000026d0000000135640004666976656d00000001786101');
show('#{-7 => seven,1 => one,100000 => big}', '83740000000362fffffff9640005736576656e61016400036f6e6562000186a0640003626967');
// Other keys: their Erlang text.
show('#{{1,2} => pair}', '83740000000168026101610264000470616972');
show('#{3.5 => 3,a => 1,"str" => 2,[a] => 4}', '83740000000446400c00000000000061036400016161016b000373747261026c00000001640001616a6104');
// #{outer => #{inner => #{deep => [1,2]}}}: [1,2] is a STRING_EXT, so a 2-byte string.
$n = '8374000000016400056f757465727400000001640005696e6e65727400000001640004646565706b00020102';
var_dump(dec($n) === ['outer' => ['inner' => ['deep' => "\x01\x02"]]]);
echo peb_print_term(hex2bin($n), true), "\n";

// 40 keys (a HAMT map in the VM; its own key order on the wire).
$m = dec('83740000002861216200000441610c619061176200000211611d6200000349611e6200000384612762000005f1611a620000'
    . '02a4611f62000003c1610b61796125620000055961096151612062000004006122620000048461196200000271611c620000'
    . '031061066124612662000005a4610d61a96128620000064061146200000190610f61e1610e61c46102610461076131610161'
    . '01610861406103610961116200000121611662000001e4611562000001b9610461106124620000051061186200000240610a'
    . '6164612362000004c9611b62000002d961136200000169610561196112620000014461106200000100');
var_dump(count($m));
ksort($m);
var_dump($m === array_combine(range(1, 40), array_map(fn($k) => $k * $k, range(1, 40))));
?>
--EXPECT--
#{}: array(0) {
}
  print: #{}
#{a => 1,b => 2}: array(2) {
  ["a"]=>
  int(1)
  ["b"]=>
  int(2)
}
  print: #{a => 1,b => 2}
#{<<"5">> => five,<<"x">> => 1}: array(2) {
  [5]=>
  string(4) "five"
  ["x"]=>
  int(1)
}
  print: #{<<"5">> => five,<<"x">> => 1}
#{-7 => seven,1 => one,100000 => big}: array(3) {
  [-7]=>
  string(5) "seven"
  [1]=>
  string(3) "one"
  [100000]=>
  string(3) "big"
}
  print: #{-7 => seven,1 => one,100000 => big}
#{{1,2} => pair}: array(1) {
  ["{1,2}"]=>
  string(4) "pair"
}
  print: #{{1,2} => pair}
#{3.5 => 3,a => 1,"str" => 2,[a] => 4}: array(4) {
  ["3.5"]=>
  int(3)
  ["a"]=>
  int(1)
  ["str"]=>
  int(2)
  ["[a]"]=>
  int(4)
}
  print: #{3.5 => 3,a => 1,"str" => 2,[a] => 4}
bool(true)
#{outer => #{inner => #{deep => [1,2]}}}
int(40)
bool(true)
