%% @doc EUnit and PropEr tests of peb_session_php, the decoder of PHP's
%% session formats, against sessions PHP itself writes: each fixture and
%% each property case runs the php binary (`php -n', its session extension
%% with the files handler, never saved) and decodes what session_encode()
%% (the `php' format) and serialize($_SESSION) (what `php_serialize'
%% stores) print. Then hostile session strings: each is an error, fast,
%% and makes no atom. PropEr (Debian: erlang-proper, see scripts/setup) is
%% called through its functions, without its header.
-module(peb_session_php_tests).
-compile(warn_missing_spec).

-export([fixtures_written_by_php_test_/0,
         php_writes_what_is_decoded_property_test_/0,
         hostile_strings_are_errors_test/0,
         no_atom_from_the_data_test/0,
         mutated_sessions_never_crash_property_test_/0,
         read_decoded_through_the_store_test_/0]).

-include("peb_test_assert.hrl").

-define(D, peb_session_php).

%%--------------------------------------------------------------------
%% PHP

php() ->
    case os:find_executable("php") of
        false -> erlang:error({missing, "php (PHP's command line) is needed to write the fixtures"});
        Php -> Php
    end.

%% Runs Code (after session_start()) and returns the two encodings of
%% $_SESSION it ends with: {PhpFormat, PhpSerializeFormat}. The script goes
%% in a file: an argument is limited to 128 KiB.
php_session(Code) ->
    Script = ["<?php session_start(); ", Code,
              " echo bin2hex(session_encode()), \"\\n\", bin2hex(serialize($_SESSION)), \"\\n\"; session_abort();"],
    File = filename:join(os_tmp(), "peb_php_tests_" ++ integer_to_list(erlang:unique_integer([positive])) ++ ".php"),
    ok = file:write_file(File, Script),
    Port = open_port({spawn_executable, php()},
                     [{args, ["-n", "-d", "session.save_path=" ++ os_tmp(), "-d", "session.use_cookies=0",
                              "-d", "session.serialize_handler=php", File]},
                      binary, exit_status, stderr_to_stdout, use_stdio]),
    Out = try collect(Port, <<>>)
          catch error:{php_exit, N, Output} -> erlang:error({php_exit, N, Output, iolist_to_binary(Code)})
          after file:delete(File)
          end,
    case binary:split(Out, <<"\n">>, [global, trim]) of
        [Php, Serialized] -> {binary:decode_hex(Php), binary:decode_hex(Serialized)};
        _ -> erlang:error({php_failed, Out})
    end.

os_tmp() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        "" -> "/tmp";
        Dir -> Dir
    end.

collect(Port, Acc) ->
    receive
        {Port, {data, D}} -> collect(Port, <<Acc/binary, D/binary>>);
        {Port, {exit_status, 0}} -> Acc;
        {Port, {exit_status, N}} -> erlang:error({php_exit, N, Acc})
    after 20000 ->
        erlang:error({php_timeout, Acc})
    end.

%% Both of PHP's encodings decode to Expected (by format, and told apart).
both(Code, Expected) ->
    {Php, Serialized} = php_session(Code),
    ?assertEqual({ok, Expected}, ?D:decode(Php, php)),
    ?assertEqual({ok, Expected}, ?D:decode(Serialized, php_serialize)),
    ?assertEqual({ok, Expected}, ?D:decode(Php)),
    ?assertEqual({ok, Expected}, ?D:decode(Serialized)).

%%--------------------------------------------------------------------
%% Fixtures

-spec fixtures_written_by_php_test_() -> term().
fixtures_written_by_php_test_() ->
    [{Name, fun() -> both(Code, Expected) end} || {Name, Code, Expected} <- fixtures()].

fixtures() ->
    [{"scalars",
      "$_SESSION = ['n' => null, 't' => true, 'f' => false, 'i' => -42, 'max' => PHP_INT_MAX,
                    'min' => PHP_INT_MIN, 's' => \"a|b;\\\"c\\0\", 'e' => ''];",
      #{<<"n">> => null, <<"t">> => true, <<"f">> => false, <<"i">> => -42,
        <<"max">> => 16#7FFFFFFFFFFFFFFF, <<"min">> => -16#8000000000000000,
        <<"s">> => <<"a|b;\"c", 0>>, <<"e">> => <<>>}},
     {"floats",
      "$_SESSION = ['a' => 0.1, 'b' => -0.0, 'c' => 1e25, 'd' => 1.5e-10, 'e' => 3.0, 'inf' => INF,
                    'ninf' => -INF, 'nan' => NAN];",
      #{<<"a">> => 0.1, <<"b">> => -0.0, <<"c">> => 1.0e25, <<"d">> => 1.5e-10, <<"e">> => 3.0,
        <<"inf">> => inf, <<"ninf">> => neg_inf, <<"nan">> => nan}},
     {"arrays: lists and maps",
      "$_SESSION = ['l' => [1, 'two', [3]], 'm' => ['k' => 1, 5 => 'x', '7' => 'y'], 'empty' => [],
                    'holes' => [1 => 'a', 0 => 'b'], 'cart' => ['items' => [['sku' => 'A1', 'qty' => 2]]]];",
      #{<<"l">> => [1, <<"two">>, [3]], <<"m">> => #{<<"k">> => 1, 5 => <<"x">>, 7 => <<"y">>},
        <<"empty">> => [], <<"holes">> => #{1 => <<"a">>, 0 => <<"b">>},
        <<"cart">> => #{<<"items">> => [#{<<"sku">> => <<"A1">>, <<"qty">> => 2}]}}},
     {"objects: stdClass, a class's visibilities, the same object twice",
      "class U { public $name = 'ann'; protected $role = 'admin'; private $pw = 'x'; }
       $o = new stdClass; $o->id = 7; $u = new U;
       $_SESSION = ['o' => $o, 'again' => $o, 'u' => $u];",
      #{<<"o">> => #{'__class__' => <<"stdClass">>, <<"id">> => 7},
        <<"again">> => #{'__class__' => <<"stdClass">>, <<"id">> => 7},
        <<"u">> => #{'__class__' => <<"U">>, <<"name">> => <<"ann">>,
                     <<0, "*", 0, "role">> => <<"admin">>, <<0, "U", 0, "pw">> => <<"x">>}}},
     {"references between variables",
      "$a = [1, 2]; $_SESSION['x'] = &$a; $_SESSION['y'] = &$a; $s = 'shared';
       $_SESSION['z'] = ['p' => &$s, 'q' => &$s];",
      #{<<"x">> => [1, 2], <<"y">> => [1, 2], <<"z">> => #{<<"p">> => <<"shared">>, <<"q">> => <<"shared">>}}},
     {"an enum case and a Serializable object",
      "enum Suit: string { case Hearts = 'H'; }
       class Blob implements Serializable { function serialize() { return 'raw;data'; }
         function unserialize($d) {} function __serialize(): array { return []; } function __unserialize(array $d): void {} }
       $_SESSION = ['suit' => Suit::Hearts];",
      #{<<"suit">> => #{'__class__' => <<"Suit">>, '__case__' => <<"Hearts">>}}},
     {"an empty session",
      "",
      #{}}].

%%--------------------------------------------------------------------
%% The property: what PHP writes is what is decoded

-spec php_writes_what_is_decoded_property_test_() -> term().
php_writes_what_is_decoded_property_test_() ->
    {timeout, 300,
     fun() ->
         Prop = proper:forall(session(), fun({Code, Expected}) -> holds(fun() -> both(Code, Expected) end) end),
         check(Prop, 100)
     end}.

%% Debian's PropEr 1.2 calls erlang:get_stacktrace/0 (gone since OTP 23)
%% when a property raises: the failure is printed here and the property
%% answers false.
holds(Fun) ->
    try Fun() of
        _ -> true
    catch
        Class:Reason:Stack ->
            io:format(user, "property failed: ~p:~p~n~p~n", [Class, Reason, Stack]),
            false
    end.

check(Prop, N) ->
    %% PropEr's summary only ("OK: Passed N test(s)."), not a dot per case.
    Summary = fun(Format, Args) ->
                      case string:find(Format, "Passed") of
                          nomatch -> ok;
                          _ -> io:format(user, Format, Args)
                      end
              end,
    case proper:quickcheck(Prop, [{numtests, N}, {on_output, Summary}]) of
        true -> ok;
        Failed -> erlang:error({property_failed, Failed, proper:counterexample()})
    end.

%% A session: PHP code that sets $_SESSION, and the Erlang term expected.
session() ->
    proper_types:bind(proper_types:resize(10, proper_types:list(proper_types:resize(8, value()))),
                      fun(Values) ->
                              Named = lists:zip([<<"v", (integer_to_binary(N))/binary>>
                                                 || N <- lists:seq(1, length(Values))], Values),
                              Code = ["$_SESSION = [", lists:join(", ", [[php_string(K), " => ", Php] || {K, {Php, _}} <- Named]), "];"],
                              {iolist_to_binary(Code), maps:from_list([{K, E} || {K, {_, E}} <- Named])}
                      end, false).

%% {PHP source, expected term}
value() ->
    proper_types:sized(fun(Size) -> value(Size) end).

value(Size) when Size =< 1 ->
    scalar();
value(Size) ->
    proper_types:frequency([{4, scalar()},
                            {1, proper_types:lazy(fun() -> list(Size) end)},
                            {1, proper_types:lazy(fun() -> array(Size) end)},
                            {1, proper_types:lazy(fun() -> object(Size) end)}]).

scalar() ->
    proper_types:oneof([proper_types:exactly({<<"null">>, null}),
                        proper_types:bind(proper_types:bool(), fun(B) -> {atom_to_binary(B), B} end, false),
                        proper_types:bind(int64(), fun(I) -> {[<<"(int)'">>, integer_to_binary(I), <<"'">>], I} end, false),
                        proper_types:bind(proper_types:float(), fun(F) -> {[<<"(float)'">>, float_to_binary(F, [short]), <<"'">>], F} end, false),
                        proper_types:bind(proper_types:binary(), fun(B) -> {php_string(B), B} end, false)]).

int64() ->
    proper_types:oneof([proper_types:integer(),
                        proper_types:integer(-16#8000000000000000, 16#7FFFFFFFFFFFFFFF),
                        proper_types:exactly(-16#8000000000000000),
                        proper_types:exactly(16#7FFFFFFFFFFFFFFF)]).

list(Size) ->
    proper_types:bind(proper_types:list(value(Size div 3)),
                      fun(Items) -> {["[", lists:join(", ", [P || {P, _} <- Items]), "]"], [E || {_, E} <- Items]} end,
                      false).

%% Keys: integers, or strings PHP keeps as strings (never decimal numbers).
array(Size) ->
    Key = proper_types:oneof([proper_types:integer(-5, 20),
                              proper_types:bind(proper_types:binary(), fun(B) -> <<"k", B/binary>> end, false)]),
    proper_types:bind(proper_types:list(proper_types:tuple([Key, value(Size div 3)])),
                      fun(Pairs0) ->
                              Pairs = unique_keys(Pairs0),
                              Code = ["[", lists:join(", ", [[php_key(K), " => ", P] || {K, {P, _}} <- Pairs]), "]"],
                              {Code, expected_array([{K, E} || {K, {_, E}} <- Pairs])}
                      end, false).

object(Size) ->
    Prop = proper_types:bind(proper_types:binary(), fun(B) -> <<"p", B/binary>> end, false),
    proper_types:bind(proper_types:list(proper_types:tuple([Prop, value(Size div 3)])),
                      fun(Pairs0) ->
                              Pairs = unique_keys(Pairs0),
                              Code = ["(object)[", lists:join(", ", [[php_string(K), " => ", P] || {K, {P, _}} <- Pairs]), "]"],
                              {Code, maps:from_list([{'__class__', <<"stdClass">>} | [{K, E} || {K, {_, E}} <- Pairs]])}
                      end, false).

unique_keys(Pairs) ->
    lists:reverse(lists:foldl(fun({K, _} = P, Acc) ->
                                      case lists:keymember(K, 1, Acc) of
                                          true -> Acc;
                                          false -> [P | Acc]
                                      end
                              end, [], Pairs)).

expected_array(Pairs) ->
    case [K || {K, _} <- Pairs] =:= lists:seq(0, length(Pairs) - 1) of
        true -> [E || {_, E} <- Pairs];
        false -> maps:from_list(Pairs)
    end.

php_key(K) when is_integer(K) -> integer_to_binary(K);
php_key(K) -> php_string(K).

php_string(<<>>) -> <<"''">>;
php_string(B) -> [<<"hex2bin('">>, binary:encode_hex(B), <<"')">>].

%%--------------------------------------------------------------------
%% Hostile strings

-spec hostile_strings_are_errors_test() -> ok.
hostile_strings_are_errors_test() ->
    Deep = iolist_to_binary(["x|", lists:duplicate(100000, "a:1:{i:0;"), "N;", lists:duplicate(100000, "}")]),
    %% 30 arrays each holding the one before it twice: 2^30 values once
    %% copied. x is PHP's value 1 (its elements 2 and 3), yN is N + 3 (R:
    %% is not numbered).
    Ref = fun(1) -> <<"1">>; (N) -> integer_to_binary(N + 2) end,
    Laughs = iolist_to_binary(["x|a:2:{i:0;N;i:1;N;}",
                               [["y", integer_to_binary(N), "|a:2:{i:0;R:", Ref(N), ";i:1;R:", Ref(N), ";}"]
                                || N <- lists:seq(1, 30)]]),
    Cases = [{<<"x|s:99999999999:\"a\";">>, bad_data},
             {<<"x|s:4294967296:\"a\";">>, bad_data},
             {<<"x|s:-1:\"\";">>, bad_data},
             {<<"x|a:999999999:{i:0;N;}">>, bad_data},
             {<<"x|a:-1:{}">>, bad_data},
             {<<"x|O:2000000000:\"A\":0:{}">>, bad_data},
             {<<"x|i:9223372036854775808;">>, bad_data},
             {<<"x|i:-9223372036854775809;">>, bad_data},
             {<<"x|i:;">>, bad_data},
             {<<"x|i:1e5;">>, bad_data},
             {<<"x|d:1.0E+999;">>, bad_data},
             {<<"x|d:1.2.3;">>, bad_data},
             {<<"x|d:", (binary:copy(<<"1">>, 100))/binary, ";">>, bad_data},
             {<<"x|R:0;">>, bad_data},
             {<<"x|R:5;">>, bad_data},
             {<<"x|r:-1;">>, bad_data},
             {<<"x|a:1:{i:0;N;">>, bad_data},
             {<<"x|a:1:{i:0;N;}}">>, bad_data},
             {<<"x|a:1:{d:0.5;N;}">>, bad_data},
             {<<"x|a:1:{N;N;}">>, bad_data},
             {<<"x|E:3:\"A:B\"">>, bad_data},
             {<<"x|E:1:\"A\";">>, bad_data},
             {<<"x|C:1:\"A\":5:{ab}">>, bad_data},
             {<<"x|b:2;">>, bad_data},
             {<<"x|N">>, bad_data},
             {<<"x|">>, bad_data},
             {<<"|i:1;">>, bad_data},
             {<<"no bar">>, bad_data},
             {<<"x!y|i:1;">>, bad_data},
             {<<"x|S:1:\"a\";">>, bad_data},
             {Deep, too_deep},
             {Laughs, too_big}],
    lists:foreach(fun({Data, Why}) ->
                          {Us, Result} = timer:tc(fun() -> ?D:decode(Data, php) end),
                          case {Why, Result} of
                              {bad_data, {error, {bad_data, At}}} when is_integer(At), At >= 0 -> ok;
                              {_, {error, Why}} -> ok;
                              _ -> erlang:error({not_refused, Data, Result})
                          end,
                          ?assert(Us < 2000000)
                  end, Cases),
    %% php_serialize: one array, all of it.
    ?assertMatch({error, _}, ?D:decode(<<"a:0:{}x">>, php_serialize)),
    ?assertMatch({error, _}, ?D:decode(<<"s:1:\"a\";">>, php_serialize)),
    ?assertEqual({error, unknown_format}, ?D:decode(<<"x">>, php_binary)),
    %% A Serializable object (PHP before 8.1 wrote these): its payload as it is.
    ?assertEqual({ok, #{<<"x">> => #{'__class__' => <<"A">>, '__serialized__' => <<"a;}">>}}},
                 ?D:decode(<<"x|C:1:\"A\":3:{a;}}">>, php)),
    %% Deep but within the bound is fine, and so are references to a cycle.
    Ok = iolist_to_binary(["x|", lists:duplicate(60, "a:1:{i:0;"), "N;", lists:duplicate(60, "}")]),
    ?assertMatch({ok, #{<<"x">> := [_]}}, ?D:decode(Ok, php)),
    ?assertEqual({ok, #{<<"self">> => #{<<"me">> => {php_cycle, 1}}}},
                 ?D:decode(<<"self|a:1:{s:2:\"me\";R:1;}">>, php)),
    %% A copy that would pass the depth bound is refused too.
    Half = iolist_to_binary([lists:duplicate(40, "a:1:{i:0;"), "N;", lists:duplicate(40, "}")]),
    Nested = iolist_to_binary(["a|", Half, "b|", lists:duplicate(40, "a:1:{i:0;"), "R:1;", lists:duplicate(40, "}")]),
    ?assertEqual({error, too_deep}, ?D:decode(Nested, php)),
    ok.

-spec no_atom_from_the_data_test() -> ok.
no_atom_from_the_data_test() ->
    Fresh = [<<"peb_never_an_atom_", (integer_to_binary(N))/binary>> || N <- lists:seq(1, 50)],
    Before = erlang:system_info(atom_count),
    _ = [?D:decode(iolist_to_binary([C, "|O:", integer_to_binary(byte_size(C)), ":\"", C, "\":1:{s:",
                                     integer_to_binary(byte_size(C)), ":\"", C, "\";E:",
                                     integer_to_binary(byte_size(C) * 2 + 1), ":\"", C, ":", C, "\";}"]), php)
         || C <- Fresh],
    ?assertEqual(Before, erlang:system_info(atom_count)),
    ?assertMatch({ok, _}, ?D:decode(iolist_to_binary(["a|O:1:\"A\":1:{s:", integer_to_binary(byte_size(hd(Fresh))),
                                                       ":\"", hd(Fresh), "\";N;}"]), php)),
    ok.

%% Sessions PHP wrote, cut and with bytes changed: an answer (ok or
%% error) every time, never an exception.
-spec mutated_sessions_never_crash_property_test_() -> term().
mutated_sessions_never_crash_property_test_() ->
    {timeout, 300,
     fun() ->
         {Php, Serialized} = php_session("$o = new stdClass; $o->p = [1.5, 'x', null, true]; $a = ['k' => 7];
                                          $_SESSION = ['user' => 42, 'o' => $o, 'r' => &$a, 'r2' => &$a, 'l' => [1, [2, [3]]]];"),
         Mutation = proper_types:list(proper_types:tuple([proper_types:non_neg_integer(), proper_types:byte()])),
         Prop = proper:forall(proper_types:tuple([proper_types:oneof([Php, Serialized]), Mutation,
                                                  proper_types:non_neg_integer()]),
                              fun({Good, Changes, Cut}) ->
                                      Bad = mutate(Good, Changes, Cut),
                                      holds(fun() ->
                                                    true = answers(?D:decode(Bad)) andalso answers(?D:decode(Bad, php))
                                                        andalso answers(?D:decode(Bad, php_serialize))
                                            end)
                              end),
         check(Prop, 2000)
     end}.

mutate(Good, Changes, Cut) ->
    Bytes = lists:foldl(fun({At, B}, Acc) ->
                                Pos = At rem byte_size(Acc),
                                <<Pre:Pos/binary, _, Post/binary>> = Acc,
                                <<Pre/binary, B, Post/binary>>
                        end, Good, Changes),
    binary:part(Bytes, 0, byte_size(Bytes) - (Cut rem 3) * (Cut rem byte_size(Bytes)) div 2).

answers({ok, M}) -> is_map(M);
answers({error, _}) -> true.

%%--------------------------------------------------------------------
%% peb_session:read_decoded/1, on the ETS store

-spec read_decoded_through_the_store_test_() -> term().
read_decoded_through_the_store_test_() ->
    {setup, fun() -> ok = session_handler:start() end, fun(_) -> ok = session_handler:stop() end,
     fun() ->
         {Php, _} = php_session("$_SESSION = ['user' => ['id' => 42, 'name' => 'ann'], 'cart' => [1, 2]];"),
         ok = session_handler:write(<<"sid">>, Php),
         ?assertEqual({ok, #{<<"user">> => #{<<"id">> => 42, <<"name">> => <<"ann">>}, <<"cart">> => [1, 2]}},
                      peb_session:read_decoded(<<"sid">>)),
         ?assertEqual({error, not_found}, peb_session:read_decoded(<<"none">>)),
         ok = session_handler:write(<<"bad">>, <<"x|s:9:\"a\";">>),
         ?assertEqual({error, {bad_data, 2}}, peb_session:read_decoded("bad"))
     end}.
