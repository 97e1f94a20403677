%% @doc EUnit tests of the session store with ETS (session_handler and the
%% peb_session application), on the local node: no distribution needed. Each test gets a
%% fresh tree (and so an empty table); the lock scenarios also run one after
%% the other in one server, which must then hold no lock, wait or monitor.
-module(session_handler_tests).
-compile(warn_missing_spec).

-export([each_test_/0, lock_scenarios_in_one_server_test_/0]).

-include("peb_test_assert.hrl").

-define(S, session_handler).

%%--------------------------------------------------------------------
%% Fixtures

-spec each_test_() -> term().
each_test_() ->
    {foreach, fun setup/0, fun cleanup/1,
     [fun version_and_ensure/0,
      fun classic_strings_and_binaries/0,
      fun classic_and_native_share_records/0,
      fun expired_is_never_read/0,
      fun classic_gc_counts/0,
      fun native_gc_counts/0,
      fun exists/0,
      fun touch_extends_and_missing_is_ok/0,
      fun big_data/0,
      fun unknown_requests/0,
      fun endless_times/0,
      fun raw_peb_message/0,
      fun stats_write_vs_touch/0,
      fun start_from_short_lived_process/0,
      fun concurrent_starts/0,
      fun server_crash_keeps_table/0,
      fun periodic_sweep/0,
      fun takes_over_the_2009_store/0
      | lock_scenarios()]}.

-spec lock_scenarios_in_one_server_test_() -> term().
lock_scenarios_in_one_server_test_() ->
    {setup, fun setup/0, fun cleanup/1,
     {inorder, lock_scenarios() ++ [fun no_leak_after_all/0]}}.

lock_scenarios() ->
    [fun lock_grant_and_fifo/0,
     fun lock_wait_timeout/0,
     fun holder_death_grants_next/0,
     fun waiter_death_drops_wait/0,
     fun lock_expiry_grants_next/0,
     fun stale_token_writes_nothing/0,
     fun reentrant_grant/0,
     fun touch_and_destroy_release/0,
     fun idle_holder_stays_watched/0].

setup() ->
    ok = ?S:start().

cleanup(_) ->
    ok = ?S:stop().

%%--------------------------------------------------------------------
%% The classic API and the table

version_and_ensure() ->
    ?assertEqual(6, ?S:version()),
    ?assertEqual({ok, 6}, ?S:ensure()),
    ?assertEqual({ok, 6}, ?S:ensure()).

classic_strings_and_binaries() ->
    ok = ?S:write("abc", "some data"),
    ?assertEqual(<<"some data">>, ?S:read("abc")),
    ?assertEqual(<<"some data">>, ?S:read(<<"abc">>)),
    ok = ?S:write(<<"bin">>, <<1, 2, 3>>),
    ?assertEqual(<<1, 2, 3>>, ?S:read("bin")),
    ok = ?S:write(["i", <<"o">>], [<<"da">>, "ta"]),
    ?assertEqual(<<"data">>, ?S:read(<<"io">>)),
    ok = ?S:destroy("bin"),
    ?assertEqual(<<>>, ?S:read(<<"bin">>)),
    ok = ?S:destroy(<<"never there">>),
    ?assertEqual(<<>>, ?S:read("never there")).

classic_and_native_share_records() ->
    ok = ?S:write("shared", "from classic"),
    ?assertEqual({ok, <<"from classic">>, 0}, call({read, <<"shared">>, nolock})),
    ok = call({write, <<"shared">>, 0, <<"from native">>, 60}),
    ?assertEqual(<<"from native">>, ?S:read("shared")),
    ok = ?S:destroy("shared"),
    ?assertEqual(false, call({exists, <<"shared">>})).

expired_is_never_read() ->
    ok = call({write, <<"short">>, 0, <<"data">>, 1}),
    ?assertEqual(<<"data">>, ?S:read(<<"short">>)),
    timer:sleep(1100),
    ?assertEqual(true, ets:member(?S, <<"short">>)),   % not swept yet
    ?assertEqual(<<>>, ?S:read(<<"short">>)),
    ?assertEqual({ok, <<>>, 0}, call({read, <<"short">>, nolock})),
    ?assertEqual(false, call({exists, <<"short">>})).

classic_gc_counts() ->
    ok = call({write, <<"expired1">>, 0, <<"x">>, 0}),
    ok = call({write, <<"expired2">>, 0, <<"x">>, 0}),
    ok = ?S:write("fresh", "x"),
    ?assertEqual(2, ?S:gc(1440)),
    ?assertEqual(<<"x">>, ?S:read("fresh")),
    timer:sleep(10),
    %% Not touched in the last 0 s: old enough, though not expired.
    ?assertEqual(1, ?S:gc(0)),
    ?assertEqual(0, maps:get(sessions, ?S:stats())).

native_gc_counts() ->
    ok = call({write, <<"a">>, 0, <<"x">>, 0}),
    ok = call({write, <<"b">>, 0, <<"x">>, 0}),
    ok = call({write, <<"c">>, 0, <<"x">>, 60}),
    #{gcs := Gcs} = ?S:stats(),
    ?assertEqual(2, call({gc})),
    ?assertEqual(0, call({gc})),
    ?assertMatch(#{gcs := N, sessions := 1} when N =:= Gcs + 2, ?S:stats()).

exists() ->
    ?assertEqual(false, call({exists, <<"e">>})),
    ok = call({write, <<"e">>, 0, <<>>, 60}),
    ?assertEqual(true, call({exists, <<"e">>})),
    ok = call({destroy, <<"e">>, 0}),
    ?assertEqual(false, call({exists, <<"e">>})).

touch_extends_and_missing_is_ok() ->
    ok = call({write, <<"t">>, 0, <<"data">>, 1}),
    ok = call({touch, <<"t">>, 0, 60}),
    timer:sleep(1100),
    ?assertEqual(<<"data">>, ?S:read("t")),
    ok = call({touch, <<"missing">>, 0, 60}),
    ?assertEqual(false, call({exists, <<"missing">>})),
    %% An expired session is not revived by a touch.
    ok = call({write, <<"dead">>, 0, <<"data">>, 0}),
    ok = call({touch, <<"dead">>, 0, 60}),
    ?assertEqual(<<>>, ?S:read("dead")).

big_data() ->
    Data = binary:copy(<<"0123456789abcdef">>, 512 * 1024),  % 8 MB
    ok = call({write, <<"big">>, 0, Data, 60}),
    ?assertEqual({ok, Data, 0}, call({read, <<"big">>, nolock})).

unknown_requests() ->
    Server = whereis(?S),
    ?assertEqual({error, badarg}, call(nonsense)),
    ?assertEqual({error, badarg}, call({read, "a string id", nolock})),
    ?assertEqual({error, badarg}, call({read, <<"x">>, {lock, not_a_pid, 10, 10}})),
    ?assertEqual({error, badarg}, call({read, <<"x">>, {lock, self(), -1, 10}})),
    ?assertEqual({error, badarg}, call({write, <<"x">>, -1, <<>>, 60})),
    ?assertEqual({error, badarg}, call({write, <<"x">>, 0, "not a binary", 60})),
    ?assertEqual(Server, whereis(?S)).

%% Longer than erlang:send_after/3 can wait: the server must not crash.
endless_times() ->
    Server = whereis(?S),
    {ok, _, Token} = lock(<<"endless">>, self(), 1 bsl 62, 1 bsl 62),
    W = spawn(fun() ->
        {ok, _, _} = lock(<<"endless">>, self(), 1 bsl 62, 1 bsl 62),
        receive never -> ok end
    end),
    peb_test_wait:stats(waiters, 1),
    ok = call({write, <<"endless">>, Token, <<"x">>, 1 bsl 62}),
    peb_test_wait:stats(waiters, 0),
    ?assertMatch(#{locks := 1}, ?S:stats()),
    exit(W, kill),
    peb_test_wait:no_leak(),
    ?assertEqual(<<"x">>, ?S:read("endless")),
    ?assertEqual(Server, whereis(?S)).

raw_peb_message() ->
    ?S ! {'$gen_call', {self(), peb}, {read, <<"x">>, nolock}},
    ?assertEqual({peb, {ok, <<>>, 0}}, receive M -> M after 1000 -> timeout end),
    ?S ! {'$gen_call', {self(), peb}, {read, <<"x">>, {lock, self(), 0, 1000}}},
    {peb, {ok, <<>>, Token}} = receive M1 -> M1 after 1000 -> timeout end,
    ?S ! {'$gen_call', {self(), peb}, {write, <<"x">>, Token, <<"y">>, 60}},
    ?assertEqual({peb, ok}, receive M2 -> M2 after 1000 -> timeout end),
    ?assertEqual(<<"y">>, ?S:read(<<"x">>)).

stats_write_vs_touch() ->
    S0 = ?S:stats(),
    ok = call({write, <<"lazy">>, 0, <<"data">>, 60}),
    S1 = ?S:stats(),
    ?assertEqual(1, counter(writes, S1) - counter(writes, S0)),
    ?assertEqual(0, counter(touches, S1) - counter(touches, S0)),
    %% What lazy_write does for unchanged data: read under the lock, touch.
    {ok, <<"data">>, Token} = lock(<<"lazy">>, self(), 0, 1000),
    ok = call({touch, <<"lazy">>, Token, 60}),
    S2 = ?S:stats(),
    ?assertEqual(0, counter(writes, S2) - counter(writes, S1)),
    ?assertEqual(1, counter(touches, S2) - counter(touches, S1)),
    ?assertEqual(1, counter(reads, S2) - counter(reads, S1)),
    ok = call({destroy, <<"lazy">>, 0}),
    ?assertEqual(1, counter(destroys, ?S:stats()) - counter(destroys, S2)),
    ?assertMatch(#{sessions := 0, locks := 0, waiters := 0, monitors := 0}, ?S:stats()).

%%--------------------------------------------------------------------
%% The tree

start_from_short_lived_process() ->
    ok = ?S:stop(),
    ?assertEqual(undefined, whereis(peb_session_sup)),
    %% Were the tree linked to its starter, this exit would take it down.
    {Pid, Ref} = spawn_monitor(fun start_and_exit/0),
    receive {'DOWN', Ref, process, Pid, Reason} -> ?assertEqual(done, Reason) end,
    timer:sleep(50),
    Sup = whereis(peb_session_sup),
    ?assert(is_pid(Sup) andalso is_process_alive(Sup)),
    ok = ?S:write("after", "starter"),
    ?assertEqual(<<"starter">>, ?S:read("after")),
    ?assertMatch(#{sessions := 1}, ?S:stats()).

concurrent_starts() ->
    ok = ?S:stop(),
    Parent = self(),
    Start = fun() ->
                try ?S:start()
                catch Class:Reason -> {Class, Reason}
                end
            end,
    Pids = [spawn(fun() -> Parent ! {self(), Start()} end) || _ <- lists:seq(1, 20)],
    ?assertEqual([ok || _ <- Pids], [receive {P, R} -> R after 5000 -> timeout end || P <- Pids]),
    ?assert(is_pid(whereis(peb_session_sup))),
    ?assertMatch(#{sessions := 0}, ?S:stats()).

server_crash_keeps_table() ->
    ok = ?S:write("survivor", "data"),
    {ok, <<"data">>, Token} = lock(<<"survivor">>, self(), 0, 10000),
    Old = whereis(?S),
    peb_test_wait:quietly(fun() ->
        exit(Old, kill),
        peb_test_wait:until(fun() -> is_pid(whereis(?S)) andalso whereis(?S) =/= Old end)
    end),
    ?assertEqual(<<"data">>, ?S:read("survivor")),
    %% The locks lived in the server: gone. A grant lost with them is
    %% honoured while nobody changed the session since it was read...
    ?assertMatch(#{sessions := 1, locks := 0, monitors := 0}, ?S:stats()),
    ok = call({write, <<"survivor">>, Token, <<"new">>, 60}),
    ?assertEqual(<<"new">>, ?S:read("survivor")),
    %% ... and refused once somebody did.
    {ok, <<"new">>, Token2} = lock(<<"survivor">>, self(), 0, 10000),
    peb_test_wait:quietly(fun() ->
        exit(whereis(?S), kill),
        peb_test_wait:until(fun() -> is_pid(whereis(?S)) end)
    end),
    ok = ?S:write("survivor", "classic"),
    ?assertEqual({error, lock_lost}, call({write, <<"survivor">>, Token2, <<"lost">>, 60})),
    ?assertEqual(<<"classic">>, ?S:read("survivor")).

periodic_sweep() ->
    ok = ?S:stop(),
    ok = application:set_env(peb_session, sweep_interval_ms, 50),
    try
        ok = ?S:start(),
        ok = call({write, <<"s1">>, 0, <<"x">>, 0}),
        ok = call({write, <<"s2">>, 0, <<"x">>, 60}),
        peb_test_wait:until(fun() -> not ets:member(?S, <<"s1">>) end),
        ?assertEqual(true, ets:member(?S, <<"s2">>))
    after
        application:unset_env(peb_session, sweep_interval_ms)
    end.

%% A node prepared by hand with the old module: a registered process that
%% owns the table, with {Id, Data, WrittenAtSeconds} records.
takes_over_the_2009_store() ->
    ok = ?S:stop(),
    Parent = self(),
    Now = erlang:system_time(second),
    Legacy = spawn(fun() ->
        true = register(?S, self()),
        ?S = ets:new(?S, [named_table, public, set]),
        true = ets:insert(?S, [{<<"old">>, <<"kept">>, Now}, {<<"older">>, <<"gone">>, Now - 2000}]),
        Parent ! ready,
        receive stop -> ok end
    end),
    receive ready -> ok end,
    ok = ?S:start(),
    ?assertNot(is_process_alive(Legacy)),
    ?assertEqual(<<"kept">>, ?S:read("old")),
    ?assertEqual(<<>>, ?S:read("older")),
    ?assertEqual(true, call({exists, <<"old">>})).

%%--------------------------------------------------------------------
%% Locks

lock_grant_and_fifo() ->
    Id = <<"fifo">>,
    {ok, <<>>, Token} = lock(Id, self(), 0, 10000),
    ?assertMatch({N, 0, _} when is_integer(N) andalso N > 0, Token),
    Parent = self(),
    Waiters = [begin
                   W = spawn(fun() ->
                       Reply = lock(Id, self(), 5000, 10000),
                       Parent ! {self(), Reply},
                       {ok, _, T} = Reply,
                       ok = call({write, Id, T, integer_to_binary(N), 60})
                   end),
                   peb_test_wait:stats(waiters, N),
                   {N, W}
               end || N <- [1, 2, 3]],
    ok = call({write, Id, Token, <<"0">>, 60}),
    %% Each waiter reads what the one before it wrote: that is the order.
    Got = [{N, receive {W, {ok, Data, _}} -> Data after 5000 -> timeout end}
           || {N, W} <- Waiters],
    ?assertEqual([{1, <<"0">>}, {2, <<"1">>}, {3, <<"2">>}], Got),
    peb_test_wait:no_leak(),
    ?assertEqual(<<"3">>, ?S:read(Id)).

lock_wait_timeout() ->
    Id = <<"busy">>,
    {ok, _, Token} = lock(Id, self(), 0, 10000),
    Before = now_ms(),
    W = waiter(Id, 200, 10000),
    ?assertEqual({error, lock_timeout}, receive {W, R} -> R after 5000 -> timeout end),
    ?assert(now_ms() - Before >= 200),
    ?assertMatch(#{locks := 1, waiters := 0}, ?S:stats()),
    ok = call({release, Id, Token}),
    peb_test_wait:no_leak().

holder_death_grants_next() ->
    Id = <<"dying">>,
    Holder = spawn(fun() -> receive never -> ok end end),
    {ok, _, _} = lock(Id, Holder, 0, 60000),
    W = waiter(Id, 5000, 10000),
    peb_test_wait:stats(waiters, 1),
    Before = now_ms(),
    exit(Holder, kill),
    ?assertMatch({ok, _, _}, receive {W, R} -> R after 5000 -> timeout end),
    ?assert(now_ms() - Before < 1000),
    peb_test_wait:no_leak().

waiter_death_drops_wait() ->
    Id = <<"quitter">>,
    {ok, _, Token} = lock(Id, self(), 0, 10000),
    Waiter = spawn(fun() -> lock(Id, self(), 60000, 10000) end),
    peb_test_wait:stats(waiters, 1),
    ?assertMatch(#{monitors := 2}, ?S:stats()),
    exit(Waiter, kill),
    peb_test_wait:stats(waiters, 0),
    ?assertMatch(#{locks := 1, monitors := 1}, ?S:stats()),
    ok = call({release, Id, Token}),
    peb_test_wait:no_leak().

lock_expiry_grants_next() ->
    Id = <<"expiring">>,
    Before = now_ms(),
    {ok, _, Token} = lock(Id, self(), 0, 300),
    W = waiter(Id, 5000, 10000),
    ?assertMatch({ok, _, _}, receive {W, R} -> R after 5000 -> timeout end),
    ?assert(now_ms() - Before >= 300),
    peb_test_wait:no_leak(),
    %% The expired holder's write is taken while nobody wrote since...
    ok = call({write, Id, Token, <<"late">>, 60}),
    ?assertEqual(<<"late">>, ?S:read(Id)),
    %% ... and comes too late once somebody did.
    {ok, _, Token2} = lock(Id, self(), 0, 300),
    W2 = spawn(fun() ->
        {ok, _, T} = lock(Id, self(), 5000, 10000),
        ok = call({write, Id, T, <<"next">>, 60})
    end),
    peb_test_wait:until(fun() -> ?S:read(Id) =:= <<"next">> end),
    ?assertNot(is_process_alive(W2)),
    ?assertEqual({error, lock_lost}, call({write, Id, Token2, <<"later">>, 60})),
    ?assertEqual(<<"next">>, ?S:read(Id)),
    peb_test_wait:no_leak().

stale_token_writes_nothing() ->
    Id = <<"stale">>,
    ok = call({write, Id, 0, <<"v1">>, 60}),
    {ok, <<"v1">>, Token} = lock(Id, self(), 0, 10000),
    ok = call({write, Id, Token, <<"v2">>, 60}),
    %% Written once: the same grant again (a write repeated after a
    %% failover) is known as done, and writes nothing more.
    ?assertEqual(ok, call({write, Id, Token, <<"v3">>, 60})),
    ?assertEqual(<<"v2">>, ?S:read(Id)),
    %% A grant from before that write comes too late.
    Other = setelement(1, Token, element(1, Token) + 1),
    ?assertEqual({error, lock_lost}, call({write, Id, Other, <<"v4">>, 60})),
    ?assertEqual({error, lock_lost}, call({touch, Id, Other, 60})),
    %% A grant of another store is taken where this one has no such
    %% session (failover to a node that never had it), refused otherwise.
    Foreign = setelement(3, setelement(2, Other, 7), elsewhere),
    ?assertEqual({error, lock_lost}, call({write, Id, Foreign, <<"v5">>, 60})),
    ok = call({write, <<"new here">>, Foreign, <<"v6">>, 60}),
    ?assertEqual(<<"v6">>, ?S:read(<<"new here">>)),
    ?assertEqual({error, badarg}, call({write, Id, 12345, <<"v4">>, 60})),
    ?assertEqual(<<"v2">>, ?S:read(Id)),
    ok = call({release, Id, Token}),
    peb_test_wait:no_leak().

reentrant_grant() ->
    Id = <<"leaked">>,
    {ok, _, T1} = lock(Id, self(), 0, 10000),
    %% Same holder again, no wait allowed: granted at once, with a new token.
    {ok, _, T2} = lock(Id, self(), 0, 10000),
    ?assertNotEqual(T1, T2),
    ?assertMatch(#{locks := 1, monitors := 1}, ?S:stats()),
    ?assertEqual({error, lock_lost}, call({write, Id, T1, <<"old">>, 60})),
    ok = call({write, Id, T2, <<"new">>, 60}),
    ?assertEqual(<<"new">>, ?S:read(Id)),
    peb_test_wait:no_leak().

touch_and_destroy_release() ->
    Id = <<"released">>,
    ok = call({write, Id, 0, <<"data">>, 60}),
    {ok, _, T1} = lock(Id, self(), 0, 10000),
    ok = call({touch, Id, T1, 60}),
    ?assertMatch(#{locks := 0}, ?S:stats()),
    {ok, _, T2} = lock(Id, self(), 0, 10000),
    ok = call({release, Id, T1}),                   % stale: does nothing
    ?assertMatch(#{locks := 1}, ?S:stats()),
    ok = call({release, Id, T2}),
    ?assertMatch(#{locks := 0}, ?S:stats()),
    {ok, <<"data">>, T3} = lock(Id, self(), 0, 10000),
    ok = call({destroy, Id, T3}),
    ?assertEqual(false, call({exists, Id})),
    peb_test_wait:no_leak().

%% A holder's monitor outlives its locks (it is back at the next request)
%% and goes when the holder does.
idle_holder_stays_watched() ->
    Id = <<"watched">>,
    W0 = maps:get(watched, ?S:stats()),
    Holder = spawn(fun() -> receive stop -> ok end end),
    {ok, _, Token} = lock(Id, Holder, 0, 10000),
    ok = call({write, Id, Token, <<"x">>, 60}),
    ?assertMatch(#{locks := 0, monitors := 0}, ?S:stats()),
    ?assertEqual(W0 + 1, maps:get(watched, ?S:stats())),
    {ok, _, Token2} = lock(Id, Holder, 0, 10000),
    ?assertMatch(#{locks := 1, monitors := 1}, ?S:stats()),
    ?assertEqual(W0 + 1, maps:get(watched, ?S:stats())),
    ok = call({release, Id, Token2}),
    Holder ! stop,
    peb_test_wait:until(fun() -> maps:get(watched, ?S:stats()) =:= W0 end),
    peb_test_wait:no_leak().

no_leak_after_all() ->
    ?assertMatch(#{locks := 0, waiters := 0, monitors := 0}, ?S:stats()).

%%--------------------------------------------------------------------
%% Helpers

call(Request) ->
    gen_server:call(?S, Request).

lock(Id, Holder, WaitMs, ExpireMs) ->
    call({read, Id, {lock, Holder, WaitMs, ExpireMs}}).

%% A process that asks for the lock as its own holder, sends the reply to
%% the caller and, when granted, releases the lock.
waiter(Id, WaitMs, ExpireMs) ->
    Parent = self(),
    spawn(fun() ->
        Reply = lock(Id, self(), WaitMs, ExpireMs),
        Parent ! {self(), Reply},
        case Reply of
            {ok, _, Token} -> ok = call({release, Id, Token});
            _ -> ok
        end
    end).

counter(Key, Stats) ->
    maps:get(Key, Stats).

now_ms() ->
    erlang:monotonic_time(millisecond).

%% A starter that ends as soon as it started the tree.
-spec start_and_exit() -> no_return().
start_and_exit() ->
    ok = ?S:start(),
    exit(done).

