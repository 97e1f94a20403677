--TEST--
peb_decode/peb_vdecode: tuples, proper and improper lists from real Erlang term_to_binary
--FILE--
<?php
// Bytes below are term_to_binary(T) from Erlang/OTP 25 (version byte 131 first).
// Resources from two decodes are distinct; compare them by type and printed text.
function norm($v) {
    if (is_resource($v)) return get_resource_type($v) . ' ' . peb_print_term($v, true);
    return is_array($v) ? array_map('norm', $v) : $v;
}
function dec($hex) {
    $bytes = hex2bin($hex);
    $v = peb_vdecode($bytes);
    if (norm(peb_decode(substr($bytes, 1))) !== norm($v)) echo "peb_decode without 131 differs for $hex\n";
    if (!is_array($v) || count($v) !== 1 || !array_key_exists(0, $v)) { echo "bad shape: "; var_dump($v); }
    return $v[0];
}
function show($label, $hex) {
    echo $label, ": "; var_dump(dec($hex));
    echo "  print: ", peb_print_term(hex2bin($hex), true), "\n";
}
// Each resource, put back with ~P and ~v by peb_encode and peb_vencode, gives the original bytes.
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

show('{}', '836800');
show('{1234,{pi,["is",3.1415926]}}', '83680262000004d2680264000270696c000000026b0002697346400921fb4d12d84a6a');
show('{a,{b,{c,{}}},[]}', '8368036400016168026400016268026400016368006a');
show('[]', '836a');
show('[1,[2,[3,[]]],[a]]', '836c0000000361016c0000000261026c0000000261036a6a6a6c00000001640001616a6a');
show('[1,"two",<<"three">>,4.0,{five},-6]', '836c0000000661016b000374776f6d00000005746872656546401000000000000068016400046669766562fffffffa6a');

// 300 elements: LARGE_TUPLE_EXT.
$big = '83690000012c610161026103610461056106610761086109610a610b610c610d610e610f6110611161126113611461156116'
    . '611761186119611a611b611c611d611e611f6120612161226123612461256126612761286129612a612b612c612d612e612f'
    . '6130613161326133613461356136613761386139613a613b613c613d613e613f614061416142614361446145614661476148'
    . '6149614a614b614c614d614e614f6150615161526153615461556156615761586159615a615b615c615d615e615f61606161'
    . '61626163616461656166616761686169616a616b616c616d616e616f6170617161726173617461756176617761786179617a'
    . '617b617c617d617e617f6180618161826183618461856186618761886189618a618b618c618d618e618f6190619161926193'
    . '619461956196619761986199619a619b619c619d619e619f61a061a161a261a361a461a561a661a761a861a961aa61ab61ac'
    . '61ad61ae61af61b061b161b261b361b461b561b661b761b861b961ba61bb61bc61bd61be61bf61c061c161c261c361c461c5'
    . '61c661c761c861c961ca61cb61cc61cd61ce61cf61d061d161d261d361d461d561d661d761d861d961da61db61dc61dd61de'
    . '61df61e061e161e261e361e461e561e661e761e861e961ea61eb61ec61ed61ee61ef61f061f161f261f361f461f561f661f7'
    . '61f861f961fa61fb61fc61fd61fe61ff62000001006200000101620000010262000001036200000104620000010562000001'
    . '06620000010762000001086200000109620000010a620000010b620000010c620000010d620000010e620000010f62000001'
    . '1062000001116200000112620000011362000001146200000115620000011662000001176200000118620000011962000001'
    . '1a620000011b620000011c620000011d620000011e620000011f620000012062000001216200000122620000012362000001'
    . '2462000001256200000126620000012762000001286200000129620000012a620000012b620000012c';
$t = dec($big);
var_dump(count($t), $t === range(1, 300));
var_dump(peb_print_term(hex2bin($big), true) === '{' . implode(',', range(1, 300)) . '}');

// Improper lists stay opaque Erlang Term resources, printable and re-encodable.
foreach (['[1,2|3]' => '836c00000002610161026103', '[a|b]' => '836c000000016400016164000162'] as $label => $hex) {
    $r = dec($hex);
    echo $label, ": "; var_dump($r);
    echo "  type: ", get_resource_type($r), "\n";
    echo "  print: ", peb_print_term($r, true), " / ", peb_print_term(hex2bin($hex), true), "\n";
    echo "  round trip: ", roundtrip($r, hex2bin($hex)), "\n";
}

// An improper list inside a tuple: term_to_binary({ok,[1|2]}, [{minor_version,2}])
// (UTF-8 atoms, as ~a writes them).
$hex = '83680277026f6b6c0000000161016102';
$v = dec($hex);
var_dump($v);
echo get_resource_type($v[1]), " ", peb_print_term($v[1], true), " ", peb_print_term(hex2bin($hex), true), "\n";
var_dump(peb_term_to_binary(peb_vencode('{~a,~P}', [['ok', $v[1]]])) === hex2bin($hex));
var_dump(peb_term_to_binary(peb_encode('{~a,~v}', [['ok', $v[1]]])) === hex2bin($hex));
?>
--EXPECTF--
{}: array(0) {
}
  print: {}
{1234,{pi,["is",3.1415926]}}: array(2) {
  [0]=>
  int(1234)
  [1]=>
  array(2) {
    [0]=>
    string(2) "pi"
    [1]=>
    array(2) {
      [0]=>
      string(2) "is"
      [1]=>
      float(3.1415926)
    }
  }
}
  print: {1234,{pi,["is",3.1415926]}}
{a,{b,{c,{}}},[]}: array(3) {
  [0]=>
  string(1) "a"
  [1]=>
  array(2) {
    [0]=>
    string(1) "b"
    [1]=>
    array(2) {
      [0]=>
      string(1) "c"
      [1]=>
      array(0) {
      }
    }
  }
  [2]=>
  array(0) {
  }
}
  print: {a,{b,{c,{}}},[]}
[]: array(0) {
}
  print: []
[1,[2,[3,[]]],[a]]: array(3) {
  [0]=>
  int(1)
  [1]=>
  array(2) {
    [0]=>
    int(2)
    [1]=>
    array(2) {
      [0]=>
      int(3)
      [1]=>
      array(0) {
      }
    }
  }
  [2]=>
  array(1) {
    [0]=>
    string(1) "a"
  }
}
  print: [1,[2,[3,[]]],[a]]
[1,"two",<<"three">>,4.0,{five},-6]: array(6) {
  [0]=>
  int(1)
  [1]=>
  string(3) "two"
  [2]=>
  string(5) "three"
  [3]=>
  float(4)
  [4]=>
  array(1) {
    [0]=>
    string(4) "five"
  }
  [5]=>
  int(-6)
}
  print: [1,"two",<<"three">>,4.0,{five},-6]
int(300)
bool(true)
bool(true)
[1,2|3]: resource(%d) of type (Erlang Term)
  type: Erlang Term
  print: [1,2|3] / [1,2|3]
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
[a|b]: resource(%d) of type (Erlang Term)
  type: Erlang Term
  print: [a|b] / [a|b]
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(2) {
  [0]=>
  string(2) "ok"
  [1]=>
  resource(%d) of type (Erlang Term)
}
Erlang Term [1|2] {ok,[1|2]}
bool(true)
bool(true)
