--TEST--
peb_decode/peb_vdecode: integers and floats from real Erlang term_to_binary
--FILE--
<?php
// Bytes below are term_to_binary(T) from Erlang/OTP 25 (version byte 131 first).
function dec($hex) {
    $bytes = hex2bin($hex);
    $v = peb_vdecode($bytes);
    // peb_decode takes the same term without the version byte, and tolerates it.
    if (peb_decode(substr($bytes, 1)) !== $v) echo "peb_decode without 131 differs for $hex\n";
    if (peb_decode($bytes) !== $v) echo "peb_decode with 131 differs for $hex\n";
    if (peb_decode(peb_binary_to_term($bytes)) !== $v) echo "peb_decode of a term resource differs for $hex\n";
    if (!is_array($v) || count($v) !== 1 || !array_key_exists(0, $v)) { echo "bad shape: "; var_dump($v); }
    if (peb_errorno() !== 0 || peb_error() !== null) echo "error not cleared\n";
    return $v;
}
function show($label, $hex) {
    $v = dec($hex);
    printf("%-22s %-30s %s\n", $label, var_export($v[0], true), peb_print_term(hex2bin($hex), true));
}

// The shape mypeb returned: array(0 => value).
var_dump(dec('836100'));

show('0', '836100');
show('255', '8361ff');
show('256', '836200000100');
show('-1', '8362ffffffff');
show('-256', '8362ffffff00');
show('2^31-1', '83627fffffff');
show('-2^31', '836280000000');
show('2^31 (small big)', '836e040000000080');
show('-2^31-1 (small big)', '836e040101000080');
show('2^63-1', '836e0800ffffffffffffff7f');
show('-2^63', '836e08010000000000000080');
show('2^63', '836e08000000000000000080');
show('-2^63-1', '836e08010100000000000080');
show('2^64', '836e0900000000000000000001');
show('-(2^64)', '836e0901000000000000000001');
show('2^200', '836e1a000000000000000000000000000000000000000000000000000001');

var_dump(dec('836e0800ffffffffffffff7f')[0] === PHP_INT_MAX, dec('836e08010000000000000080')[0] === PHP_INT_MIN);

// A 1000-digit integer (LARGE_BIG_EXT): 10^999 + 123456789.
$digits = '1' . str_repeat('0', 990) . '123456789';
$big = '836f0000019f0015cd5b07000000000000000000000000000000000000000000000000000000000000000000000000000000'
    . '0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
    . '0000000000000000000000000000000000000000000000000000000000000080d6038b7d6cedefc3a8465c8ec8e303920832'
    . 'd00c5b8807544f948f7b8e1d7a6b0ca35957fcea3c3f25a7438d80aef2ed90aa5f437214e21bf6931fe9888d139d3ada13bb'
    . '58f91a57bc15b9dd4ec5804c7f873c4fc4594f871f088b59460f0d694c1a162e5c6f03f68b34330ca747b6692d5af42395d3'
    . '112e1e5f9ea75d11567ff5110df6e152e59f8dc70ea8fbcbc4ab6cac29a6a54a04555509cfdcbce31eb9e3d9a9d989a6797e'
    . '423a26768ba54ce3e724f6d2077ec2a73653f55ee0b9e35c8a0f30b96efbc36fc2dc0ea75c9ca3bd33a468f73d6e9249b421'
    . '22843532d1e393c1794a6c2019410d514b502abc74808633f0774155f2e12298953162834e1e7168435cc56ef0b1176490ad'
    . '9e4478c74046547c4b4ad5d5edc99b117f58cae06b61';
$nbig = '836f0000019f0115cd5b07000000000000000000000000000000000000000000000000000000000000000000000000000000'
    . '0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'
    . '0000000000000000000000000000000000000000000000000000000000000080d6038b7d6cedefc3a8465c8ec8e303920832'
    . 'd00c5b8807544f948f7b8e1d7a6b0ca35957fcea3c3f25a7438d80aef2ed90aa5f437214e21bf6931fe9888d139d3ada13bb'
    . '58f91a57bc15b9dd4ec5804c7f873c4fc4594f871f088b59460f0d694c1a162e5c6f03f68b34330ca747b6692d5af42395d3'
    . '112e1e5f9ea75d11567ff5110df6e152e59f8dc70ea8fbcbc4ab6cac29a6a54a04555509cfdcbce31eb9e3d9a9d989a6797e'
    . '423a26768ba54ce3e724f6d2077ec2a73653f55ee0b9e35c8a0f30b96efbc36fc2dc0ea75c9ca3bd33a468f73d6e9249b421'
    . '22843532d1e393c1794a6c2019410d514b502abc74808633f0774155f2e12298953162834e1e7168435cc56ef0b1176490ad'
    . '9e4478c74046547c4b4ad5d5edc99b117f58cae06b61';
var_dump(strlen($digits));
var_dump(dec($big)[0] === $digits, peb_print_term(hex2bin($big), true) === $digits);
var_dump(dec($nbig)[0] === "-$digits", peb_print_term(hex2bin($nbig), true) === "-$digits");

// Floats: NEW_FLOAT_EXT (default) ...
show('0.1', '83463fb999999999999a');
show('-2.5', '8346c004000000000000');
show('1.0e300', '83467e37e43c8800759c');
show('1.0e10', '83464202a05f20000000');
show('1.0', '83463ff0000000000000');
show('0.0', '83460000000000000000');
// ... and the old 31-byte FLOAT_EXT text, term_to_binary(F, [{minor_version,0}]).
show('0.1 FLOAT_EXT', '8363312e3030303030303030303030303030303035353531652d30310000000000');
show('-2.5 FLOAT_EXT', '83632d322e3530303030303030303030303030303030303030652b303000000000');
show('1.0e300 FLOAT_EXT', '8363312e3030303030303030303030303030303035323530652b33303000000000');
var_dump(dec('8363312e3030303030303030303030303030303035353531652d30310000000000')[0] === 0.1, dec('83632d322e3530303030303030303030303030303030303030652b303000000000')[0] === -2.5, dec('8363312e3030303030303030303030303030303035323530652b33303000000000')[0] === 1.0e300);
?>
--EXPECT--
array(1) {
  [0]=>
  int(0)
}
0                      0                              0
255                    255                            255
256                    256                            256
-1                     -1                             -1
-256                   -256                           -256
2^31-1                 2147483647                     2147483647
-2^31                  -2147483648                    -2147483648
2^31 (small big)       2147483648                     2147483648
-2^31-1 (small big)    -2147483649                    -2147483649
2^63-1                 9223372036854775807            9223372036854775807
-2^63                  -9223372036854775807-1         -9223372036854775808
2^63                   '9223372036854775808'          9223372036854775808
-2^63-1                '-9223372036854775809'         -9223372036854775809
2^64                   '18446744073709551616'         18446744073709551616
-(2^64)                '-18446744073709551616'        -18446744073709551616
2^200                  '1606938044258990275541962092341162602522202993782792835301376' 1606938044258990275541962092341162602522202993782792835301376
bool(true)
bool(true)
int(1000)
bool(true)
bool(true)
bool(true)
bool(true)
0.1                    0.1                            0.1
-2.5                   -2.5                           -2.5
1.0e300                1.0E+300                       1.0e300
1.0e10                 10000000000.0                  1.0e10
1.0                    1.0                            1.0
0.0                    0.0                            0.0
0.1 FLOAT_EXT          0.1                            0.1
-2.5 FLOAT_EXT         -2.5                           -2.5
1.0e300 FLOAT_EXT      1.0E+300                       1.0e300
bool(true)
bool(true)
bool(true)
