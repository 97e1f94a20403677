--TEST--
peb_decode/peb_vdecode: atoms, strings and binaries from real Erlang term_to_binary
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
function show($label, $hex, $print = true) {
    echo $label, ": "; var_dump(dec($hex));
    if ($print) echo "  print: ", peb_print_term(hex2bin($hex), true), "\n";
}
// For values with control or non-ASCII bytes: the type, length and bytes in hex.
function show_hex($label, $hex) {
    $v = dec($hex);
    echo $label, ": ", get_debug_type($v), "(", strlen($v), ") 0x", bin2hex($v), "\n";
    echo "  print: ", peb_print_term(hex2bin($hex), true), "\n";
}

// Atoms. OTP 25's default encodes latin1-representable atoms as ATOM_EXT (100);
// {minor_version,2} gives SMALL_ATOM_UTF8_EXT (119).
show('ok', '836400026f6b');
show('true', '8364000474727565');
show("'Hello World' ATOM_EXT", '8364000b48656c6c6f20576f726c64');
show("'Hello World' SMALL_ATOM_UTF8_EXT", '83770b48656c6c6f20576f726c64');
// (How non-ASCII atoms print is in decode_atom_quoting.phpt.)
show("'héllo' latin1 ATOM_EXT", '8364000568e96c6c6f', false);
show("'héllo' SMALL_ATOM_UTF8_EXT", '83770668c3a96c6c6f', false);
show("''", '83640000');
show("'it\\'s'", '8364000469742773');
show("'Abc'", '83640003416263');

// 200 x 'é': latin1 ATOM_EXT of 200 bytes, and ATOM_UTF8_EXT (118) of 400 bytes.
$e200 = str_repeat("é", 200);
$latin1 = '836400c8e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9'
    . 'e9e9e9e9';
$utf8 = '83760190c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9'
    . 'c3a9c3a9';
var_dump(dec($latin1) === $e200, dec($utf8) === $e200);

// Strings: "abc" and [1,2,3] are STRING_EXT; [300,400] is a LIST_EXT of integers; "" is NIL.
show('"abc"', '836b0003616263');
show_hex('[1,2,3] STRING_EXT', '836b0003010203');
show('[300,400]', '836c00000002620000012c62000001906a');
show('""', '836a');

// Binaries.
show('<<>>', '836d00000000');
show('<<"abc">>', '836d00000003616263');
show_hex('<<1,2,3>>', '836d00000003010203');
show('<<"say \"hi\"\n">>', '836d0000000973617920226869220a');
show_hex('<<"caf",233>>', '836d00000004636166e9');

// Every byte value, binary-safe.
$all = '836d00000100000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b'
    . '2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d'
    . '5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f'
    . '909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1'
    . 'c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3'
    . 'f4f5f6f7f8f9fafbfcfdfeff';
$want = implode('', array_map('chr', range(0, 255)));
$got = dec($all);
var_dump(strlen($got), $got === $want);
var_dump(peb_print_term(hex2bin($all), true) === '<<' . implode(',', range(0, 255)) . '>>');
?>
--EXPECT--
ok: string(2) "ok"
  print: ok
true: string(4) "true"
  print: true
'Hello World' ATOM_EXT: string(11) "Hello World"
  print: 'Hello World'
'Hello World' SMALL_ATOM_UTF8_EXT: string(11) "Hello World"
  print: 'Hello World'
'héllo' latin1 ATOM_EXT: string(6) "héllo"
'héllo' SMALL_ATOM_UTF8_EXT: string(6) "héllo"
'': string(0) ""
  print: ''
'it\'s': string(4) "it's"
  print: 'it\'s'
'Abc': string(3) "Abc"
  print: 'Abc'
bool(true)
bool(true)
"abc": string(3) "abc"
  print: "abc"
[1,2,3] STRING_EXT: string(3) 0x010203
  print: [1,2,3]
[300,400]: array(2) {
  [0]=>
  int(300)
  [1]=>
  int(400)
}
  print: [300,400]
"": array(0) {
}
  print: []
<<>>: string(0) ""
  print: <<>>
<<"abc">>: string(3) "abc"
  print: <<"abc">>
<<1,2,3>>: string(3) 0x010203
  print: <<1,2,3>>
<<"say \"hi\"\n">>: string(9) "say "hi"
"
  print: <<"say \"hi\"\n">>
<<"caf",233>>: string(4) 0x636166e9
  print: <<99,97,102,233>>
int(256)
bool(true)
bool(true)
