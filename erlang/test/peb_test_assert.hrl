%% The asserts of the EUnit test modules. eunit.hrl is not included: Debian
%% ships it in erlang-dev, which a node with erlang-nox lacks. These few
%% asserts fail the way eunit's do.
-define(assert(Expr), check(Expr, true, ??Expr, ?LINE)).
-define(assertNot(Expr), check(Expr, false, ??Expr, ?LINE)).
-define(assertEqual(Expect, Expr), check(Expr, Expect, ??Expr, ?LINE)).
-define(assertNotEqual(Unexpected, Expr),
        (fun(V__) when V__ =:= Unexpected -> fail(assertNotEqual_failed, ??Expr, V__, ?LINE);
            (_) -> ok
         end)(Expr)).
-define(assertMatch(Guard, Expr),
        (fun() ->
             case Expr of
                 Guard -> ok;
                 V__ -> fail({assertMatch_failed, ??Guard}, ??Expr, V__, ?LINE)
             end
         end)()).

-spec check(term(), term(), string(), pos_integer()) -> ok.
check(Value, Value, _Expr, _Line) ->
    ok;
check(Value, Expected, Expr, Line) ->
    fail({assertEqual_failed, Expected}, Expr, Value, Line).

-spec fail(term(), string(), term(), pos_integer()) -> no_return().
fail(What, Expr, Value, Line) ->
    erlang:error({What, [{module, ?MODULE}, {line, Line}, {expression, Expr}, {value, Value}]}).
