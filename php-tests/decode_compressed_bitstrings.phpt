--TEST--
peb_decode/peb_vdecode: bitstrings and compressed terms from real Erlang term_to_binary
--FILE--
<?php
// Bytes below are term_to_binary(T) / term_to_binary(T, [compressed]) from Erlang/OTP 25.
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

// Bitstrings whose last byte is partial: BIT_BINARY_EXT, kept as Erlang Term resources.
foreach (['<<1:3>>' => '834d000000010320', '<<1,2,3:5>>' => '834d0000000305010218'] as $label => $hex) {
    $bytes = hex2bin($hex);
    $v = peb_vdecode($bytes);
    echo $label, ": "; var_dump($v);
    echo "  type: ", get_resource_type($v[0]), " / without 131: ", get_resource_type(peb_decode(substr($bytes, 1))[0]), "\n";
    echo "  print: ", peb_print_term($v[0], true), " / ", peb_print_term($bytes, true), "\n";
    echo "  round trip: ", roundtrip($v[0], $bytes), "\n";
}

// term_to_binary({<<1:3>>, x}, [{minor_version,2}]) (UTF-8 atoms, as ~a writes them)
$hex = '8368024d000000010320770178';
$v = peb_vdecode(hex2bin($hex))[0];
var_dump($v);
echo peb_print_term(hex2bin($hex), true), "\n";
var_dump(peb_term_to_binary(peb_vencode('{~P,~a}', [[$v[0], 'x']])) === hex2bin($hex));

// term_to_binary(lists:seq(1,1000), [compressed]): tag 80, zlib data.
$hex = '835000001091789c15d467db08040085e1d739591995148a444969a014a1a48c48696ac7411969180965142d2bbb224aa28c'
    . 'a8682f1485165945d3084585d2a2aee7cbfd13ee6e0505de9642519c835238455234c5523c07a7444aa6544ae7901c9ac352'
    . '2687a76c8ec8912997f2a990a372742aa6528e49e51c9b2aa99ae3727caae58454cf8939293572724ec9a9392d35532bb573'
    . '7ace489d9c99b35237f57276eaa7411ae69c9c9b46392f8d737e2e4893344db334cf85699196b928ad72712e49eb5c9acb72'
    . '79aec895b92a6d7275aec9b5b92ed7e786dc989bd236ed92b44f8774cccdb9259dd2395dd235b7a65b6ecbedb92377a67b7a'
    . 'a4677ae5aef4cedde993bee9977b726ffa6740066650eecbfd199c2179200fe6a13c9c473234c3323c2332328f665446674c'
    . 'c6665cc667421ecbe379221333294f6672a6e4a93c9da97926d3f26ca667469ecbf3999959999d39792173332f2fe6a5bc9c'
    . 'f9599057f26a5ecbeb79236fe6adbc9d77f26edecbc22ccae2bc9f0fb2244bf3613ecab22ccf8a7c9c4ff2693ecbe7599955'
    . 'f922abb3266bb32eebf365beca866cccd7f926dfe6bb7c9f1fb2299bb3255bf363b6657b76e4a7fc9c9dd9955ff26b7ecbee'
    . 'ecc9defc9e3fb22f7fe6affc9d7ff26ff6e740fe6b5f5050a8000a81c0701014862250148a417138184a40492805a5e11038'
    . '140e83327038948523e0482807e5a1021c05474345a804c740653816aa4055380e8e876a7002548713e124a80127c329702a'
    . '9c0635a116d486d3e10ca80367c2595017eac1d9501f1a40433807ce8546701e3486f3e10268024da11934870ba105b4848b'
    . 'a0155c0c97406bb8142e83cbe10ab812ae823670355c03d7c275703ddc0037c24dd016da41a03d74808e7033dc029da03374'
    . '81ae702b7483dbe076b803ee84eed0037a422fb80b7ac3ddd007fa423fb807ee85fe300006c220b80fee87c130041e8007e1'
    . '2178181e81a1300c86c30818098fc228180d63602c8c83f130011e83c7e109980893e049980c53e029781aa6c233300d9e85'
    . 'e930039e83e76126cc82d930075e80b9300f5e8497e065980f0be01578155e83d7e10d7813de82b7e11d7817de8385b00816'
    . 'c3fbf0012c81a5f0217c04cb6039ac808fe113f8143e83cf6125ac822f6035ac81b5b00ed6c397f0156c808df0357c03dfc2'
    . '77f03dfc009b60336c81adf0236c83edb0037e829f6127ec825fe057f80d76c31ed80bbfc31fb00ffe84bfe06ff807fe85fd'
    . '7000f84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc'
    . '27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89'
    . 'ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23f'
    . 'f19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc'
    . '27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89'
    . 'ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23f'
    . 'f19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc'
    . '27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89'
    . 'ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23f'
    . 'f19ff84ffc27fe13ff89ffc47fe23ff19ff84ffc27fe13ff89ffc47fe23ff19ff8cffc67fe33ff99ffcc7fe63ff39ff9cffc'
    . '67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99'
    . 'ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63f'
    . 'f39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc'
    . '67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99'
    . 'ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63f'
    . 'f39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc'
    . '67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99'
    . 'ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63ff39ff9cffc67fe33ff99ffcc7fe63f'
    . 'f39ff9cffc67fe33ff99ffcc7fe63ff39ff9cfdbbafe0ff2316d8f';
$bytes = hex2bin($hex);
var_dump(bin2hex(substr($bytes, 0, 2)), strlen($bytes));
$v = peb_vdecode($bytes);
var_dump(count($v), count($v[0]), $v[0] === range(1, 1000));
var_dump(peb_decode(substr($bytes, 1)) === $v, peb_decode(peb_binary_to_term($bytes)) === $v);
var_dump(peb_print_term($bytes, true) === '[' . implode(',', range(1, 1000)) . ']');
var_dump(peb_errorno(), peb_error());

// term_to_binary(<<0:8000>>, [compressed]): 1000 zero bytes.
$z = peb_vdecode(hex2bin('8350000003ed789ccb6560607ec1300a46c12818f6000047070159'))[0];
var_dump(strlen($z), $z === str_repeat("\0", 1000));

// term_to_binary(#{name => <<"peb">>, items => lists:duplicate(50, abc)}, [compressed])
$hex = '83500000014e789c2b616060604a6160cd2c49cd2dce01728c521898139392474962c8ac140696bcc4dcd45c60c03117a426'
    . '01000a475544';
$m = peb_vdecode(hex2bin($hex))[0];
var_dump(array_keys($m), $m['name'], $m['items'] === array_fill(0, 50, 'abc'));
var_dump(peb_print_term(hex2bin($hex), true) === '#{items => [' . implode(',', array_fill(0, 50, 'abc')) . '],name => <<"peb">>}');
?>
--EXPECTF--
<<1:3>>: array(1) {
  [0]=>
  resource(%d) of type (Erlang Term)
}
  type: Erlang Term / without 131: Erlang Term
  print: <<1:3>> / <<1:3>>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
<<1,2,3:5>>: array(1) {
  [0]=>
  resource(%d) of type (Erlang Term)
}
  type: Erlang Term / without 131: Erlang Term
  print: <<1,2,3:5>> / <<1,2,3:5>>
  round trip: peb_encode ~P same, peb_encode ~v same, peb_vencode ~P same, peb_vencode ~v same
array(2) {
  [0]=>
  resource(%d) of type (Erlang Term)
  [1]=>
  string(1) "x"
}
{<<1:3>>,x}
bool(true)
string(4) "8350"
int(1827)
int(1)
int(1000)
bool(true)
bool(true)
bool(true)
bool(true)
int(0)
NULL
int(1000)
bool(true)
array(2) {
  [0]=>
  string(5) "items"
  [1]=>
  string(4) "name"
}
string(3) "peb"
bool(true)
bool(true)
