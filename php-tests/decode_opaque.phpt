--TEST--
peb_decode/peb_vdecode: pids, references, ports and funs from a real Erlang node stay resources that print and round-trip
--FILE--
<?php
// Bytes below are term_to_binary(T) from Erlang/OTP 25 on a node started with
// `erl -sname pebgen` (node pebgen@vm): self(), make_ref(), hd(erlang:ports()),
// fun lists:map/2 and fun(X) -> X + 1 end from module pebgen.
function roundtrip($res, $bytes) {
    $out = [];
    foreach (['peb_encode', 'peb_vencode'] as $fn) {
        foreach (['~P', '~v'] as $f) {
            $b = peb_term_to_binary($fn($f, [$res]));
            $out[] = "$fn $f " . ($b === $bytes ? 'same' : 'DIFFERS ' . bin2hex($b));
        }
    }
    return implode(', ', $out);
}
function opaque($label, $hex) {
    $bytes = hex2bin($hex);
    $v = peb_vdecode($bytes);
    var_dump($v);
    $d = peb_decode(substr($bytes, 1));
    $r = $v[0];
    echo $label, ": ", get_resource_type($r), " / without 131: ", get_resource_type($d[0]), "\n";
    echo "  print resource: ", peb_print_term($r, true), "\n";
    echo "  print bytes:    ", peb_print_term($bytes, true), "\n";
    echo "  round trip: ", roundtrip($r, $bytes), "\n";
    echo "  via peb_decode: ", roundtrip($d[0], $bytes), "\n";
}

opaque('pid', '835864000970656267656e40766d00000009000000006b077932');
opaque('reference', '835a000364000970656267656e40766d6b07793200034200486c0001334a98b9');
opaque('port', '835964000970656267656e40766d000000006b077932');
opaque('fun lists:map/2', '83716400056c697374736400036d61706102');
opaque('anonymous fun', '837000000046012d29e713b5493ff271a4ba71d9948ca2000000000000000064000670656267656e61006201694f38586400'
    . '0970656267656e40766d00000009000000006b077932');

// A pid inside a tuple: term_to_binary({self(), node()}, [{minor_version,2}])
// (UTF-8 atoms, as ~a writes them).
$hex = '83680258770970656267656e40766d00000009000000006b077933770970656267656e40766d';
$v = peb_vdecode(hex2bin($hex))[0];
var_dump($v);
echo peb_print_term(hex2bin($hex), true), "\n";
var_dump(peb_term_to_binary(peb_vencode('{~P,~a}', [[$v[0], $v[1]]])) === hex2bin($hex));

// A map holding a pid and a reference: #{pid => self(), ref => make_ref()}.
$hex = '8374000000026400037069645864000970656267656e40766d00000009000000006b0779326400037265665a000364000970'
    . '656267656e40766d6b07793200034257486c0001334a98b9';
$m = peb_vdecode(hex2bin($hex))[0];
var_dump($m);
echo peb_print_term(hex2bin($hex), true), "\n";
echo peb_print_term($m['pid'], true), " ", peb_print_term($m['ref'], true), "\n";

// peb_print_term without true prints and returns true.
var_dump(peb_print_term(peb_vdecode(hex2bin('835964000970656267656e40766d000000006b077932'))[0]));
?>
--EXPECTF--
array(1) {
  [0]=>
  resource(%d) of type (Erlang Pid)
}
pid: Erlang Pid / without 131: Erlang Pid
  print resource: #Pid<pebgen@vm.9.0>
  print bytes:    #Pid<pebgen@vm.9.0>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
  via peb_decode: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(1) {
  [0]=>
  resource(%d) of type (Erlang Reference)
}
reference: Erlang Reference / without 131: Erlang Reference
  print resource: #Ref<pebgen@vm.860526777.1215037441.213504>
  print bytes:    #Ref<pebgen@vm.860526777.1215037441.213504>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
  via peb_decode: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(1) {
  [0]=>
  resource(%d) of type (Erlang Port)
}
port: Erlang Port / without 131: Erlang Port
  print resource: #Port<pebgen@vm.0>
  print bytes:    #Port<pebgen@vm.0>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
  via peb_decode: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(1) {
  [0]=>
  resource(%d) of type (Erlang Fun)
}
fun lists:map/2: Erlang Fun / without 131: Erlang Fun
  print resource: fun lists:map/2
  print bytes:    fun lists:map/2
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
  via peb_decode: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(1) {
  [0]=>
  resource(%d) of type (Erlang Fun)
}
anonymous fun: Erlang Fun / without 131: Erlang Fun
  print resource: #Fun<pebgen.0.23678776>
  print bytes:    #Fun<pebgen.0.23678776>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
  via peb_decode: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(2) {
  [0]=>
  resource(%d) of type (Erlang Pid)
  [1]=>
  string(9) "pebgen@vm"
}
{#Pid<pebgen@vm.9.0>,pebgen@vm}
bool(true)
array(2) {
  ["pid"]=>
  resource(%d) of type (Erlang Pid)
  ["ref"]=>
  resource(%d) of type (Erlang Reference)
}
#{pid => #Pid<pebgen@vm.9.0>,ref => #Ref<pebgen@vm.860526777.1215037441.213591>}
#Pid<pebgen@vm.9.0> #Ref<pebgen@vm.860526777.1215037441.213591>
#Port<pebgen@vm.0>bool(true)
