%% The Erlang half of scripts/tests/examples: evaluates one statement of a
%% doc's ```erlang block as the shell would (erl_eval, shell commands such
%% as c/1 through shell_default, bindings kept between statements) and
%% checks it against the comment that states its result. Loaded with -pa
%% into the harness's stock nodes; called by scripts/tests/examples.php
%% through peb_rpc. Not part of the store.
%%
%% The comment rule (Erlang): the expected value is the comment's leading
%% text that parses as one Erlang expression, ended by the comment's end or
%% by ": " / "; " (prose may follow); bare words that do not end the
%% comment ("one session") are prose. In the expected value: `_` and
%% unbound variables match anything (and bind), bound ones (Id) must be
%% equal; `...` as the last element of a list, tuple or map means "more
%% allowed"; a binary literal ending in "..." is a prefix. Comment lines
%% (%%) under a statement state alternatives, separated by " | ".
-module(examples).
-export([init/1, eval/3]).

%% The bindings a block starts with: Id, the session the harness made for it.
init(<<>>) -> term_to_binary(erl_eval:new_bindings());
init(Id) -> term_to_binary(erl_eval:add_binding('Id', Id, erl_eval:new_bindings())).

%% -> {Kind, Status, Detail, State}: Kind <<"checked">> | <<"prose">> | <<"none">>;
%% Status <<"ok">> | <<"mismatch">> | <<"error">>.
eval(Code0, Comment0, State) ->
    B0 = binary_to_term(State),
    Code = unicode:characters_to_list(Code0),
    Comment = string:trim(unicode:characters_to_list(Comment0)),
    case run(Code, B0) of
        {error, Text} ->
            {kind(Comment), <<"error">>, Text, State};
        {ok, Value, B1} ->
            S1 = term_to_binary(B1),
            case expected(Comment) of
                none -> {<<"none">>, <<"ok">>, <<>>, S1};
                prose -> {<<"prose">>, <<"ok">>, <<>>, S1};
                {alts, Alts} ->
                    case lists:any(fun(P) -> element(1, m(Value, P, B1)) end, Alts) of
                        true -> {<<"checked">>, <<"ok">>, show(Value), S1};
                        false -> {<<"checked">>, <<"mismatch">>, show(Value), S1}
                    end
            end
    end.

kind(Comment) ->
    case expected(Comment) of
        none -> <<"none">>;
        prose -> <<"prose">>;
        _ -> <<"checked">>
    end.

show(V) -> unicode:characters_to_binary(io_lib:format("~0tp", [V])).

run(Code, B0) ->
    Local = {value, fun(F, A) -> apply(shell_default, F, A) end},
    try
        {ok, Toks, _} = erl_scan:string(Code ++ "."),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, V, B1} = erl_eval:exprs(Exprs, B0, Local),
        {ok, V, B1}
    catch C:R ->
        {error, unicode:characters_to_binary(io_lib:format("~p:~0tp", [C, R]))}
    end.

%% The comment -> none | prose | {alts, [Form]}.
expected("") -> none;
expected(Text) ->
    Alts = [leading(A) || A <- split_alts(Text)],
    case lists:member(prose, Alts) of
        true -> prose;
        false -> {alts, Alts}
    end.

%% The longest prefix ending at the end, or before ": " / "; ", that parses.
leading(Text) ->
    Cuts = [length(Text)] ++ lists:reverse(cuts(Text, 0, [])),
    first_parse([string:slice(Text, 0, N) || N <- Cuts]).

cuts([C, $\s | Rest], I, Acc) when C =:= $:; C =:= $; -> cuts([$\s | Rest], I + 1, [I | Acc]);
cuts([_ | Rest], I, Acc) -> cuts(Rest, I + 1, Acc);
cuts([], _, Acc) -> Acc.

first_parse([]) -> prose;
first_parse([T | Rest]) ->
    case parse(T) of
        {ok, F} -> F;
        error -> first_parse(Rest)
    end.

parse(Text) ->
    case erl_scan:string(Text ++ ".") of
        {ok, Toks, _} ->
            case erl_parse:parse_exprs(more(Toks, [])) of
                {ok, [F]} -> {ok, F};
                _ -> error
            end;
        _ -> error
    end.

%% `...` -> the atom '$more' ('$more' => '$more' inside a map).
more([{'#', L}, {'{', _} | T], Stack) -> [{'#', L}, {'{', L} | more(T, [map | Stack])];
more([{Open, L} | T], Stack) when Open =:= '{'; Open =:= '['; Open =:= '(' ->
    [{Open, L} | more(T, [other | Stack])];
more([{Close, L} | T], [_ | Stack]) when Close =:= '}'; Close =:= ']'; Close =:= ')' ->
    [{Close, L} | more(T, Stack)];
more([{'...', L} | T], [map | _] = Stack) ->
    [{atom, L, '$more'}, {'=>', L}, {atom, L, '$more'} | more(T, Stack)];
more([{'...', L} | T], Stack) -> [{atom, L, '$more'} | more(T, Stack)];
more([Tok | T], Stack) -> [Tok | more(T, Stack)];
more([], _) -> [].

%% " | " at depth 0 separates alternatives (a list's tail bar is inside brackets).
split_alts(Text) -> split_alts(Text, 0, [], []).
split_alts([], _, Cur, Acc) -> lists:reverse([string:trim(lists:reverse(Cur)) | Acc]);
split_alts([$\s, $|, $\s | Rest], 0, Cur, Acc) ->
    split_alts(Rest, 0, [], [string:trim(lists:reverse(Cur)) | Acc]);
split_alts([C | Rest], D, Cur, Acc) when C =:= ${; C =:= $[; C =:= $( ->
    split_alts(Rest, D + 1, [C | Cur], Acc);
split_alts([C | Rest], D, Cur, Acc) when C =:= $}; C =:= $]; C =:= $) ->
    split_alts(Rest, max(D - 1, 0), [C | Cur], Acc);
split_alts([C | Rest], D, Cur, Acc) -> split_alts(Rest, D, [C | Cur], Acc).

%% Matching a value against an expected form -> {Bool, Bindings}.
m(_, {var, _, '_'}, B) -> {true, B};
m(V, {var, _, N}, B) ->
    case erl_eval:binding(N, B) of
        {value, X} -> {X =:= V, B};
        unbound -> {true, erl_eval:add_binding(N, V, B)}
    end;
m(V, {tuple, _, Es}, B) when is_tuple(V) ->
    case lists:reverse(Es) of
        [{atom, _, '$more'} | Init] when tuple_size(V) >= length(Init) ->
            ms(lists:sublist(tuple_to_list(V), length(Init)), lists:reverse(Init), B);
        [{atom, _, '$more'} | _] -> {false, B};
        _ when tuple_size(V) =:= length(Es) -> ms(tuple_to_list(V), Es, B);
        _ -> {false, B}
    end;
m(_, {cons, _, {atom, _, '$more'}, {nil, _}}, B) -> {true, B};
m([H | T], {cons, _, FH, FT}, B) ->
    case m(H, FH, B) of
        {true, B1} -> m(T, FT, B1);
        F -> F
    end;
m(V, {map, _, Assocs}, B) when is_map(V) ->
    More = [x || {map_field_assoc, _, {atom, _, '$more'}, _} <- Assocs] =/= [],
    Fields = [{K, F} || {map_field_assoc, _, K, F} <- Assocs, not is_more(K)],
    case More orelse map_size(V) =:= length(Fields) of
        false -> {false, B};
        true ->
            lists:foldl(fun({KF, F}, {true, Bx}) ->
                                case maps:find(value(KF, Bx), V) of
                                    {ok, X} -> m(X, F, Bx);
                                    error -> {false, Bx}
                                end;
                           (_, Acc) -> Acc
                        end, {true, B}, Fields)
    end;
m(V, {bin, _, [{bin_element, _, {string, _, S}, default, default}]}, B) when is_binary(V) ->
    case lists:suffix("...", S) of
        true ->
            P = unicode:characters_to_binary(lists:sublist(S, length(S) - 3)),
            {binary:longest_common_prefix([V, P]) =:= byte_size(P), B};
        false -> {V =:= unicode:characters_to_binary(S), B}
    end;
m(V, F, B) ->
    try {value(F, B) =:= V, B} catch _:_ -> {false, B} end.

is_more({atom, _, '$more'}) -> true;
is_more(_) -> false.

ms([], [], B) -> {true, B};
ms([V | Vs], [F | Fs], B) ->
    case m(V, F, B) of
        {true, B1} -> ms(Vs, Fs, B1);
        X -> X
    end.

value(F, B) ->
    {value, V, _} = erl_eval:expr(F, B),
    V.
