%% @doc EUnit tests of session_handler's shards (ETS, on the local node):
%% the locks of ids in different shards live in different processes, a
%% request reaches the owner through the router (session_handler) or
%% straight at its pid (as the extension sends it) and queues in one FIFO
%% either way, a holder's death frees its lock in its shard, destroy by tag
%% reaches every shard, stats/0 adds the shards up, and one shard is the
%% one server of old.
-module(session_handler_shards_tests).
-compile(warn_missing_spec).

-export([each_test_/0, one_shard_is_the_one_server_test/0]).

-include("peb_test_assert.hrl").

-define(S, session_handler).
-define(N, 16).

-spec each_test_() -> term().
each_test_() ->
    {foreach, fun setup/0, fun cleanup/1,
     [fun shards_are_registered_and_told/0,
      fun different_shards_lock_independently/0,
      fun fifo_through_router_and_pid/0,
      fun holder_death_frees_its_shard/0,
      fun destroy_tagged_reaches_every_shard/0,
      fun stats_add_the_shards_up/0,
      fun router_death_takes_the_shards/0]}.

setup() ->
    ok = application:set_env(peb_session, shards, ?N),
    ok = ?S:start().

cleanup(_) ->
    ok = ?S:stop(),
    application:unset_env(peb_session, shards).

%%--------------------------------------------------------------------

shards_are_registered_and_told() ->
    {?N, Pids, Router} = ?S:shards(),
    ?assertEqual(whereis(?S), Router),
    ?assertEqual(?N, tuple_size(Pids)),
    Names = [list_to_atom("peb_session_shard_" ++ integer_to_list(I)) || I <- lists:seq(0, ?N - 1)],
    ?assertEqual([whereis(Name) || Name <- Names], tuple_to_list(Pids)),
    ?assert(lists:all(fun is_pid/1, tuple_to_list(Pids))),
    ?assertEqual(?N, length(lists:usort([whereis(?S) | tuple_to_list(Pids)])) - 1),
    %% The same shard as erlang:crc32/1 says, which the extension computes.
    ?assertEqual(erlang:crc32(<<"abc">>) rem ?N, ?S:shard_of(<<"abc">>, ?N)).

%% A shard that is stopped (suspended) holds up only its own ids.
different_shards_lock_independently() ->
    {A, B} = two_shards(),
    {ok, _, TA} = lock(shard_pid(A), A, self(), 0, 10000),
    ok = sys:suspend(shard_pid(A)),
    try
        {ok, _, TB} = lock(?S, B, self(), 0, 10000),
        ok = gen_server:call(?S, {write, B, TB, <<"b">>, 60})
    after
        ok = sys:resume(shard_pid(A))
    end,
    ok = gen_server:call(shard_pid(A), {write, A, TA, <<"a">>, 60}),
    ?assertEqual(<<"a">>, ?S:read(A)),
    ?assertEqual(<<"b">>, ?S:read(B)),
    peb_test_wait:no_leak().

%% Waiters queue in arrival order at the shard, whichever way they came.
fifo_through_router_and_pid() ->
    Id = <<"fifo across ways">>,
    Shard = shard_pid(Id),
    {ok, _, T0} = lock(Shard, Id, self(), 0, 10000),
    W1 = waiter(?S, Id, <<"one">>),
    peb_test_wait:stats(waiters, 1),
    W2 = waiter(Shard, Id, <<"two">>),
    peb_test_wait:stats(waiters, 2),
    W3 = waiter(?S, Id, <<"three">>),
    peb_test_wait:stats(waiters, 3),
    ok = gen_server:call(?S, {write, Id, T0, <<"zero">>, 60}),
    %% Each waiter sees what the one before it wrote.
    ?assertEqual(<<"zero">>, granted(W1)),
    ?assertEqual(<<"one">>, granted(W2)),
    ?assertEqual(<<"two">>, granted(W3)),
    peb_test_wait:until(fun() -> ?S:read(Id) =:= <<"three">> end),
    peb_test_wait:no_leak().

holder_death_frees_its_shard() ->
    Id = <<"holder dies">>,
    Parent = self(),
    Holder = spawn(fun() ->
                           Parent ! {self(), lock(shard_pid(Id), Id, self(), 0, 60000)},
                           receive never -> ok end
                   end),
    {ok, _, _} = receive {Holder, R} -> R after 5000 -> timeout end,
    W = waiter(?S, Id, <<"after">>),
    peb_test_wait:stats(waiters, 1),
    exit(Holder, kill),
    ?assertEqual(<<>>, granted(W)),
    peb_test_wait:until(fun() -> ?S:read(Id) =:= <<"after">> end),
    peb_test_wait:no_leak().

%% Tagged sessions of many shards, one of them locked: all go, and the
%% holder's write under its lock is refused (its session was destroyed).
destroy_tagged_reaches_every_shard() ->
    Ids = [<<"tagged ", (integer_to_binary(I))/binary>> || I <- lists:seq(1, 40)],
    ?assert(length(lists:usort([shard_of(Id) || Id <- Ids])) > 8),
    [ok = gen_server:call(?S, {write, Id, 0, <<"x">>, 60, [<<"t">>]}) || Id <- Ids],
    ok = gen_server:call(?S, {write, <<"untagged">>, 0, <<"x">>, 60}),
    [Locked | _] = Ids,
    {ok, <<"x">>, Token} = lock(shard_pid(Locked), Locked, self(), 0, 10000),
    ?assertEqual(40, gen_server:call(?S, {tagged, count, <<"t">>})),
    ?assertEqual(40, gen_server:call(?S, {tagged, destroy, <<"t">>})),
    ?assertEqual(0, gen_server:call(?S, {tagged, count, <<"t">>})),
    ?assertEqual([false], lists:usort([gen_server:call(shard_pid(Id), {exists, Id}) || Id <- Ids])),
    ?assertEqual(true, gen_server:call(?S, {exists, <<"untagged">>})),
    ?assertEqual({error, lock_lost}, gen_server:call(shard_pid(Locked), {write, Locked, Token, <<"y">>, 60})),
    ?assertEqual(<<>>, ?S:read(Locked)),
    peb_test_wait:no_leak().

stats_add_the_shards_up() ->
    S0 = ?S:stats(),
    Ids = [<<"counted ", (integer_to_binary(I))/binary>> || I <- lists:seq(1, 20)],
    [ok = gen_server:call(shard_pid(Id), {write, Id, 0, <<"x">>, 60}) || Id <- Ids],
    {A, B} = two_shards(),
    {ok, _, TA} = lock(?S, A, self(), 0, 10000),
    {ok, _, TB} = lock(shard_pid(B), B, self(), 0, 10000),
    S1 = ?S:stats(),
    ?assertEqual(20, maps:get(writes, S1) - maps:get(writes, S0)),
    ?assertEqual(2, maps:get(reads, S1) - maps:get(reads, S0)),
    ?assertMatch(#{locks := 2, waiters := 0, sessions := 20}, S1),
    %% Each holder has one monitor in each shard it locks in.
    ?assertEqual(2, maps:get(monitors, S1)),
    ok = gen_server:call(?S, {release, A, TA}),
    ok = gen_server:call(?S, {release, B, TB}),
    peb_test_wait:no_leak().

%% The shards are linked to the router: it and they restart together, so
%% that shards/0 and the names agree again.
router_death_takes_the_shards() ->
    {?N, Old, Router} = ?S:shards(),
    %% What the extension does: a monitor of the router says the pids are dead.
    Ref = erlang:monitor(process, Router),
    peb_test_wait:quietly(fun() ->
                    exit(Router, kill),
                    peb_test_wait:until(fun() ->
                                       {?N, New, R} = ?S:shards(),
                                       lists:all(fun is_pid/1, tuple_to_list(New))
                                           andalso New =/= Old andalso is_pid(R) andalso R =/= Router
                               end)
            end),
    receive {'DOWN', Ref, process, Router, killed} -> ok after 0 -> error(no_down) end,
    {?N, New, _} = ?S:shards(),
    ?assertEqual([false], lists:usort([is_process_alive(P) || P <- tuple_to_list(Old)])),
    ?assertEqual([], [P || P <- tuple_to_list(New), lists:member(P, tuple_to_list(Old))]),
    ok = ?S:write("after restart", "x"),
    ?assertEqual(<<"x">>, ?S:read("after restart")).

-spec one_shard_is_the_one_server_test() -> ok.
one_shard_is_the_one_server_test() ->
    ok = application:set_env(peb_session, shards, 1),
    try
        ok = ?S:start(),
        ?assertEqual({1, {whereis(?S)}, whereis(?S)}, ?S:shards()),
        ?assertEqual(undefined, whereis(peb_session_shard_0)),
        {ok, _, T} = lock(?S, <<"one">>, self(), 0, 10000),
        ok = gen_server:call(?S, {write, <<"one">>, T, <<"1">>, 60}),
        ?assertEqual(<<"1">>, ?S:read(<<"one">>)),
        ?assertEqual(0, gen_server:call(?S, {tagged, count, <<"t">>})),
        ok
    after
        ok = ?S:stop(),
        application:unset_env(peb_session, shards)
    end.

%%--------------------------------------------------------------------
%% Helpers

shard_of(Id) ->
    ?S:shard_of(Id, ?N).

shard_pid(Id) ->
    {?N, Pids, _} = ?S:shards(),
    element(shard_of(Id) + 1, Pids).

%% Two ids that different shards own.
two_shards() ->
    A = <<"first id">>,
    [B | _] = [Id || I <- lists:seq(1, 100), Id <- [<<"other ", (integer_to_binary(I))/binary>>],
                     shard_of(Id) =/= shard_of(A)],
    {A, B}.

lock(Dest, Id, Holder, WaitMs, ExpireMs) ->
    gen_server:call(Dest, {read, Id, {lock, Holder, WaitMs, ExpireMs}}).

%% A process that asks Dest for the lock of Id as its own holder, tells
%% the caller what it read, then writes Data under the lock.
waiter(Dest, Id, Data) ->
    Parent = self(),
    spawn(fun() ->
                  {ok, Read, Token} = lock(Dest, Id, self(), 10000, 10000),
                  Parent ! {self(), granted, Read},
                  ok = gen_server:call(Dest, {write, Id, Token, Data, 60})
          end).

granted(Waiter) ->
    receive {Waiter, granted, Read} -> Read after 5000 -> timeout end.

