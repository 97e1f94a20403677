%% @doc A decoder of PHP's session formats, so that Erlang code can read
%% what PHP stored (peb_session:read_decoded/1): `php' (PHP's default
%% session.serialize_handler: `name|value' one after the other) and
%% `php_serialize' (one serialize()d array), values in serialize()'s format.
%%
%% PHP values become Erlang terms:
%%   null, true, false               null, true, false
%%   int, float                      integer, float (INF, -INF, NAN: the
%%                                   atoms inf, neg_inf, nan)
%%   string                          binary
%%   array 0..n-1 in order           list
%%   other array                     map (keys integers or binaries)
%%   object                          map: '__class__' => Class, and each
%%                                   property by its name as PHP stored it
%%                                   (private ones "\0Class\0name",
%%                                   protected ones "\0*\0name")
%%   Serializable object (C:)        #{'__class__' => Class, '__serialized__' => Payload}
%%   enum case (E:)                  #{'__class__' => Enum, '__case__' => Case}
%%   reference (R: and r:)           the value referred to, copied; a
%%                                   reference to a value that contains it
%%                                   (a cycle) is {php_cycle, N}, N being
%%                                   PHP's number of that value
%% The session itself is a map of its variables' names (binaries) to values.
%%
%% Hardened like the extension's own term decoder: the data comes from PHP
%% code, possibly from a user. Never an atom from the data (the atoms above
%% are this module's); every length and count is checked against the bytes
%% left before anything is allocated; nesting is at most ?MAX_DEPTH deep,
%% also where references are copied in; the result has at most ?MAX_VALUES
%% values, references counted with what they copy (so that a few bytes of
%% references cannot expand into gigabytes); numbers are bounded (64-bit
%% integers, PHP's floats). Anything else is {error, Reason}, never a crash.
-module(peb_session_php).
-compile(warn_missing_spec).

-export([decode/1, decode/2, unserialize/1, max_depth/0, max_values/0]).
-export_type([value/0, reason/0]).

-define(MAX_DEPTH, 64).
-define(MAX_VALUES, 1000000).
%% Digits of a length or count (up to 9,999,999,999), of an integer.
-define(MAX_LEN_DIGITS, 10).
-define(MAX_INT_DIGITS, 19).
-define(MAX_FLOAT_CHARS, 64).
-define(INT64_MIN, -16#8000000000000000).
-define(INT64_MAX, 16#7FFFFFFFFFFFFFFF).

-type value() :: null | boolean() | integer() | float() | inf | neg_inf | nan | binary()
               | [value()] | #{integer() | binary() | atom() => value()} | {php_cycle, pos_integer()}.
-type reason() :: {bad_data, Offset :: non_neg_integer()} | too_deep | too_big | unknown_format.
-type format() :: php | php_serialize.

%% Values numbered as PHP numbers them (R: and r: refer to them): each
%% entry {Value, Values, Height}, or building for a container not done yet.
-record(st, {vals = #{} :: #{pos_integer() => {value(), pos_integer(), non_neg_integer()} | building},
             next = 1 :: pos_integer(),
             total = 0 :: non_neg_integer()}).

-spec max_depth() -> pos_integer().
max_depth() -> ?MAX_DEPTH.

-spec max_values() -> pos_integer().
max_values() -> ?MAX_VALUES.

%% @doc A session's variables, the format told by the data: php_serialize
%% when it is one serialize()d array, php otherwise.
-spec decode(binary()) -> {ok, #{binary() | integer() => value()}} | {error, reason()}.
decode(<<"a:", _/binary>> = Data) ->
    case decode(Data, php_serialize) of
        {ok, _} = Ok -> Ok;
        {error, _} -> decode(Data, php)
    end;
decode(Data) when is_binary(Data) ->
    decode(Data, php).

%% @doc A session's variables, in the format given (another: unknown_format).
-spec decode(binary(), format() | atom()) -> {ok, #{binary() | integer() => value()}} | {error, reason()}.
decode(Data, php) when is_binary(Data) ->
    guarded(Data, fun() -> variables(Data, #st{}, #{}) end);
decode(Data, php_serialize) when is_binary(Data) ->
    guarded(Data, fun() ->
                          case value(Data, 0, #st{}) of
                              {List, _, _, <<>>, _} when is_list(List) ->
                                  maps:from_list(lists:zip(lists:seq(0, length(List) - 1), List));
                              {Map, _, _, <<>>, _} when is_map(Map) ->
                                  Map;
                              {_, _, _, Rest, _} ->
                                  throw({bad, Rest})
                          end
                  end);
decode(_Data, _Format) ->
    {error, unknown_format}.

%% @doc One value in serialize()'s format (all of Data).
-spec unserialize(binary()) -> {ok, value()} | {error, reason()}.
unserialize(Data) when is_binary(Data) ->
    guarded(Data, fun() ->
                          case value(Data, 0, #st{}) of
                              {V, _, _, <<>>, _} -> V;
                              {_, _, _, Rest, _} -> throw({bad, Rest})
                          end
                  end).

guarded(Data, Fun) ->
    try
        {ok, Fun()}
    catch
        throw:{bad, Rest} -> {error, {bad_data, byte_size(Data) - byte_size(Rest)}};
        throw:too_deep -> {error, too_deep};
        throw:too_big -> {error, too_big}
    end.

%%--------------------------------------------------------------------
%% The php format: name|value, until the end. A name is up to its `|'
%% (PHP allows neither `|' nor `!' in one); `!name|' is an old PHP's
%% unset variable, which has no value.

variables(<<>>, _St, Acc) ->
    Acc;
variables(<<"!", Data/binary>>, St, Acc) ->
    {_Name, Rest} = name(Data),
    variables(Rest, St, Acc);
variables(Data, St0, Acc) ->
    {Name, Rest0} = name(Data),
    {V, _, _, Rest, St} = value(Rest0, 0, St0),
    variables(Rest, St, Acc#{Name => V}).

name(Data) ->
    case binary:match(Data, <<"|">>) of
        {Pos, 1} when Pos > 0 ->
            <<Name:Pos/binary, "|", Rest/binary>> = Data,
            case binary:match(Name, <<"!">>) of
                nomatch -> {Name, Rest};
                _ -> throw({bad, Data})
            end;
        _ ->
            throw({bad, Data})
    end.

%%--------------------------------------------------------------------
%% Values: {Value, Values (its count, references expanded), Height, Rest, St}

value(_Data, Depth, _St) when Depth > ?MAX_DEPTH ->
    throw(too_deep);
value(<<"N;", R/binary>>, _D, St) ->
    scalar(null, R, St);
value(<<"b:0;", R/binary>>, _D, St) ->
    scalar(false, R, St);
value(<<"b:1;", R/binary>>, _D, St) ->
    scalar(true, R, St);
value(<<"i:", R0/binary>> = Data, _D, St) ->
    {I, R} = int(R0, Data),
    scalar(I, R, St);
value(<<"d:", R0/binary>> = Data, _D, St) ->
    {F, R} = float(R0, Data),
    scalar(F, R, St);
value(<<"s:", R0/binary>> = Data, _D, St) ->
    {S, R} = string(R0, Data, <<"\";">>),
    scalar(S, R, St);
value(<<"a:", R0/binary>> = Data, D, St0) ->
    {Count, R1} = count(R0, Data, <<":{">>, 6),
    {Num, St1} = reserve(St0),
    {Pairs, Values, Height, R2, St2} = elements(Count, R1, D + 1, St1, [], 1, 0),
    R = close(R2),
    done(array(Pairs), Values, Height, Num, R, St2, 1);
value(<<"O:", R0/binary>> = Data, D, St0) ->
    {Class, R1} = string(R0, Data, <<"\":">>),
    {Count, R2} = count(R1, Data, <<":{">>, 6),
    {Num, St1} = reserve(St0),
    {Pairs, Values, Height, R3, St2} = elements(Count, R2, D + 1, St1, [], 1, 0),
    R = close(R3),
    done(maps:from_list([{'__class__', Class} | Pairs]), Values, Height, Num, R, St2, 1);
value(<<"C:", R0/binary>> = Data, _D, St) ->
    {Class, R1} = string(R0, Data, <<"\":">>),
    {Payload, R} = string_raw(R1, Data, <<":{">>, <<"}">>),
    scalar(#{'__class__' => Class, '__serialized__' => Payload}, R, St);
value(<<"E:", R0/binary>> = Data, _D, St) ->
    {Name, R} = string(R0, Data, <<"\";">>),
    case binary:split(Name, <<":">>) of
        [Enum, Case] when Enum =/= <<>>, Case =/= <<>> ->
            scalar(#{'__class__' => Enum, '__case__' => Case}, R, St);
        _ ->
            throw({bad, Data})
    end;
value(<<"R:", R0/binary>> = Data, D, St) ->
    {N, R} = int(R0, Data),
    {V, Values, Height} = referred(N, D, Data, St),
    {V, Values, Height, R, count_values(Values, St)};
value(<<"r:", R0/binary>> = Data, D, St0) ->
    {N, R} = int(R0, Data),
    {V, Values, Height} = referred(N, D, Data, St0),
    %% r: (an object's second use) is itself a value PHP numbers.
    {Num, St1} = reserve(St0),
    done(V, Values, Height, Num, R, St1, Values);
value(Data, _D, _St) ->
    throw({bad, Data}).

scalar(V, Rest, St0) ->
    {Num, St} = reserve(St0),
    done(V, 1, 0, Num, Rest, St, 1).

%% Numbers the next value (before its elements, as PHP does).
reserve(St = #st{vals = Vals, next = Next}) ->
    {Next, St#st{vals = Vals#{Next => building}, next = Next + 1}}.

%% Own: what this value adds to the result's count (its elements counted
%% themselves already; a reference, all that it copies).
done(V, Values, Height, Num, Rest, St0, Own) ->
    St = #st{vals = Vals} = count_values(Own, St0),
    {V, Values, Height, Rest, St#st{vals = Vals#{Num := {V, Values, Height}}}}.

count_values(Values, St = #st{total = Total}) ->
    case Total + Values of
        T when T > ?MAX_VALUES -> throw(too_big);
        T -> St#st{total = T}
    end.

%% The value PHP numbered N, copied in at depth D.
referred(N, D, Data, #st{vals = Vals}) ->
    case Vals of
        #{N := {V, Values, Height}} when D + Height =< ?MAX_DEPTH -> {V, Values, Height};
        #{N := {_, _, _}} -> throw(too_deep);
        #{N := building} -> {{php_cycle, N}, 1, 0};
        #{} -> throw({bad, Data})
    end.

%% Count key/value pairs; each key is not numbered, each value is.
elements(0, Rest, _D, St, Acc, Values, Height) ->
    {lists:reverse(Acc), Values, Height, Rest, St};
elements(N, Data, D, St0, Acc, Values, Height) ->
    {K, R0} = key(Data),
    {V, VValues, VHeight, R, St} = value(R0, D, St0),
    elements(N - 1, R, D, St, [{K, V} | Acc], Values + VValues, max(Height, VHeight + 1)).

key(<<"i:", R0/binary>> = Data) -> int(R0, Data);
key(<<"s:", R0/binary>> = Data) -> string(R0, Data, <<"\";">>);
key(Data) -> throw({bad, Data}).

close(<<"}", Rest/binary>>) -> Rest;
close(Data) -> throw({bad, Data}).

%% A list when the keys are 0, 1, 2... in order (PHP's array_is_list), a map otherwise.
array(Pairs) ->
    case is_list_keys(Pairs, 0) of
        true -> [V || {_, V} <- Pairs];
        false -> maps:from_list(Pairs)
    end.

is_list_keys([], _) -> true;
is_list_keys([{N, _} | Rest], N) -> is_list_keys(Rest, N + 1);
is_list_keys(_, _) -> false.

%%--------------------------------------------------------------------
%% Scalars

%% An integer up to its `;' (i:, R:, r: and keys).
int(Data, At) ->
    {Digits, Rest} = digits_until(Data, $;, ?MAX_INT_DIGITS + 1, At),
    I = try binary_to_integer(Digits) catch error:badarg -> throw({bad, At}) end,
    case I >= ?INT64_MIN andalso I =< ?INT64_MAX of
        true -> {I, Rest};
        false -> throw({bad, At})
    end.

%% A length or count, then Sep; at most what the bytes left can hold, at
%% PerItem bytes each.
count(Data, At, Sep, PerItem) ->
    {Digits, Rest0} = digits_until(Data, binary:first(Sep), ?MAX_LEN_DIGITS, At),
    N = length_of(Digits, At),
    SepRest = binary:part(Sep, 1, byte_size(Sep) - 1),
    Skip = byte_size(SepRest),
    case Rest0 of
        <<SepRest:Skip/binary, Rest/binary>> when N * PerItem =< byte_size(Rest) -> {N, Rest};
        _ -> throw({bad, At})
    end.

%% s:Len:"bytes"End, from after `s:' (or O:'s and C:'s class name).
string(Data, At, End) ->
    {Digits, Rest0} = digits_until(Data, $:, ?MAX_LEN_DIGITS, At),
    Len = length_of(Digits, At),
    EndLen = byte_size(End),
    case Rest0 of
        <<"\"", S:Len/binary, End:EndLen/binary, Rest/binary>> -> {S, Rest};
        _ -> throw({bad, At})
    end.

%% C:'s Len:{payload}, from after the class name.
string_raw(Data, At, Open, Close) ->
    {Digits, Rest0} = digits_until(Data, binary:first(Open), ?MAX_LEN_DIGITS, At),
    Len = length_of(Digits, At),
    OpenRest = binary:part(Open, 1, byte_size(Open) - 1),
    O = byte_size(OpenRest),
    C = byte_size(Close),
    case Rest0 of
        <<OpenRest:O/binary, S:Len/binary, Close:C/binary, Rest/binary>> -> {S, Rest};
        _ -> throw({bad, At})
    end.

length_of(Digits, At) ->
    case Digits of
        <<D, _/binary>> when D >= $0, D =< $9 -> binary_to_integer(Digits);
        _ -> throw({bad, At})
    end.

%% The bytes before Stop, at most Max of them, all digits (a leading
%% minus or plus sign allowed).
digits_until(Data, Stop, Max, At) ->
    case binary:match(Data, <<Stop>>, [{scope, {0, min(byte_size(Data), Max + 2)}}]) of
        {Pos, 1} when Pos > 0 ->
            <<Digits:Pos/binary, _, Rest/binary>> = Data,
            case signed_digits(Digits) of
                true -> {Digits, Rest};
                false -> throw({bad, At})
            end;
        _ ->
            throw({bad, At})
    end.

signed_digits(<<Sign, Digits/binary>>) when Sign =:= $-; Sign =:= $+ -> Digits =/= <<>> andalso all_digits(Digits);
signed_digits(Digits) -> all_digits(Digits).

all_digits(<<>>) -> true;
all_digits(<<D, Rest/binary>>) when D >= $0, D =< $9 -> all_digits(Rest);
all_digits(_) -> false.

%% d:...; as PHP writes it (serialize_precision -1: the shortest form that
%% reads back the same: 0.1, -0, 1.0E+25, 1.0E-10), or INF, -INF, NAN.
float(Data, At) ->
    case binary:match(Data, <<";">>, [{scope, {0, min(byte_size(Data), ?MAX_FLOAT_CHARS + 1)}}]) of
        {Pos, 1} when Pos > 0 ->
            <<Text:Pos/binary, ";", Rest/binary>> = Data,
            {float_text(Text, At), Rest};
        _ ->
            throw({bad, At})
    end.

float_text(<<"INF">>, _At) -> inf;
float_text(<<"-INF">>, _At) -> neg_inf;
float_text(<<"NAN">>, _At) -> nan;
float_text(Text, At) ->
    {Mantissa, Exponent} = case binary:split(Text, [<<"E">>, <<"e">>]) of
                               [M, E] -> {M, E};
                               [M] -> {M, none}
                           end,
    Erlang = iolist_to_binary([mantissa(Mantissa, At),
                               case Exponent of
                                   none -> <<>>;
                                   _ -> [<<"e">>, exponent(Exponent, At)]
                               end]),
    try binary_to_float(Erlang)
    catch error:badarg -> throw({bad, At})
    end.

%% Erlang wants digits on both sides of a dot.
mantissa(M, At) ->
    {Sign, Unsigned} = case M of
                           <<"-", U/binary>> -> {<<"-">>, U};
                           <<"+", U/binary>> -> {<<>>, U};
                           U -> {<<>>, U}
                       end,
    {Int, Frac} = case binary:split(Unsigned, <<".">>) of
                      [I, F] -> {I, F};
                      [I] -> {I, <<>>}
                  end,
    case (Int =/= <<>> orelse Frac =/= <<>>) andalso all_digits(Int) andalso all_digits(Frac) of
        true -> [Sign, nonempty(Int), ".", nonempty(Frac)];
        false -> throw({bad, At})
    end.

exponent(E, At) ->
    case signed_digits(E) andalso byte_size(E) =< 6 of
        true -> E;
        false -> throw({bad, At})
    end.

nonempty(<<>>) -> <<"0">>;
nonempty(Digits) -> Digits.
