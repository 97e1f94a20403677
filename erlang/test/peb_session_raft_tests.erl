%% @doc The Raft store's machine (peb_session_raft), pure: commands applied
%% with apply/3 as Ra applies them, each with its index and the leader's
%% time, and what it answers, which effects it asks for, and what a
%% replica replaying the same log ends with.
-module(peb_session_raft_tests).
-compile(warn_missing_spec).

-export([grant_test/0,
         fifo_queue_test/0,
         resend_is_not_queued_twice_test/0,
         fencing_refuses_a_stale_token_test/0,
         a_lock_given_away_fences_its_holder_test/0,
         an_expired_lock_nobody_wants_is_still_its_holders_test/0,
         repeated_write_is_done_test/0,
         holder_down_releases_test/0,
         front_down_releases_its_holders_test/0,
         cancel_releases_a_wait_or_a_grant_test/0,
         expiry_is_the_commands_time_test/0,
         waits_and_locks_expire_on_tick_test/0,
         time_never_goes_back_test/0,
         replicas_agree_test/0,
         snapshots_are_offered_test/0,
         subscribers_hear_of_changes_test/0]).

-include("peb_test_assert.hrl").

-define(M, peb_session_raft).
-define(ID, <<"sid">>).

%% A log being applied: the state, the next index and the time (ms).
new() ->
    {S, _, _} = ?M:apply(#{index => 1, system_time => 1000}, {create, store}, ?M:init(#{name => t})),
    {S, 2, 1000}.

%% Applies Command at the log's next index, Ms after the previous one.
run(Command, {S0, Index, Now}) ->
    run(Command, 0, {S0, Index, Now}).

run(Command, Ms, Log) ->
    {Reply, Effects, Next} = run_all(Command, Ms, Log),
    {Reply, [E || E <- Effects, news(E) =:= false], Next}.

%% The same, with the news for subscribers among the effects.
run_all(Command, Ms, {S0, Index, Now}) ->
    {S, Reply, Effects} = ?M:apply(#{index => Index, system_time => Now + Ms, term => 1}, Command, S0),
    {Reply, Effects, {S, Index + 1, Now + Ms}}.

%% What a command's effects tell this node's subscribers, or false.
news({send_msg, {peb_session_subs, Node}, {peb_session_raft, Event, Id, Tags}, [local]}) when Node =:= node() ->
    {Event, Id, Tags};
news(_Effect) ->
    false.

pids(N) ->
    [spawn(fun() -> ok end) || _ <- lists:seq(1, N)].

lock(Holder, Front, Ref, Log) ->
    run({lock, ?ID, Holder, Front, Ref, 5000, 30000}, Log).

-spec grant_test() -> ok.
grant_test() ->
    [H, F] = pids(2),
    {{ok, <<>>, Token}, Effects, L1} = lock(H, F, make_ref(), new()),
    ?assertMatch({2, 0, {raft, store}}, Token),
    ?assertEqual([{monitor, process, F}], Effects),
    {ok, [], L2} = run({write, ?ID, Token, <<"data">>, 60}, L1),
    {{ok, Data, Token2}, [], _} = lock(H, F, make_ref(), L2),
    ?assertEqual(<<"data">>, Data),
    %% The version read is the index of the grant the data was written under.
    ?assertMatch({4, 2, _}, Token2),
    ok.

-spec fifo_queue_test() -> ok.
fifo_queue_test() ->
    [H1, H2, H3, F] = pids(4),
    [R1, R2, R3] = [make_ref() || _ <- [1, 2, 3]],
    {{ok, _, T1}, _, L1} = lock(H1, F, R1, new()),
    {queued, [], L2} = lock(H2, F, R2, L1),
    {queued, [], L3} = lock(H3, F, R3, L2),
    %% The first waiter gets the lock when the holder writes, with its data.
    {ok, [{send_msg, F, {peb_raft_grant, R2, {ok, <<"one">>, T2}}}], L4} =
        run({write, ?ID, T1, <<"one">>, 60}, L3),
    {ok, [{send_msg, F, {peb_raft_grant, R3, {ok, <<"two">>, _}}}], _} =
        run({write, ?ID, T2, <<"two">>, 60}, L4),
    ok.

-spec resend_is_not_queued_twice_test() -> ok.
resend_is_not_queued_twice_test() ->
    [H1, H2, F] = pids(3),
    R2 = make_ref(),
    {{ok, _, T1}, _, L1} = lock(H1, F, make_ref(), new()),
    {queued, [], L2} = lock(H2, F, R2, L1),
    {queued, [], L3} = lock(H2, F, R2, L2),
    {ok, [{send_msg, F, {peb_raft_grant, R2, {ok, _, T2}}}], L4} = run({release, ?ID, T1}, L3),
    %% The same request again is answered with its grant, not a new one.
    {{ok, _, T2}, [], L5} = lock(H2, F, R2, L4),
    {ok, [], _} = run({release, ?ID, T2}, L5),
    ok.

-spec fencing_refuses_a_stale_token_test() -> ok.
fencing_refuses_a_stale_token_test() ->
    [H1, H2, F] = pids(3),
    {{ok, _, T1}, _, L1} = lock(H1, F, make_ref(), new()),
    {ok, [], L2} = run({write, ?ID, T1, <<"first">>, 60}, L1),
    {{ok, <<"first">>, T2}, [], L3} = lock(H2, F, make_ref(), L2),
    %% H1's grant is used; another write under it changes nothing.
    {{error, lock_lost}, [], L4} = run({write, ?ID, T1, <<"stale">>, 60}, L3),
    {{error, lock_lost}, [], L5} = run({destroy, ?ID, T1}, L4),
    %% A touch under it is taken for a repeat (the session is as H1 left
    %% it): ok, and nothing changes.
    {ok, [], L6} = run({touch, ?ID, T1, 60}, L5),
    {{ok, <<"first">>, 0}, [], L7} = run({read, ?ID}, L6),
    {ok, [], L8} = run({write, ?ID, T2, <<"second">>, 60}, L7),
    {{ok, <<"second">>, 0}, [], _} = run({read, ?ID}, L8),
    ok.

-spec a_lock_given_away_fences_its_holder_test() -> ok.
a_lock_given_away_fences_its_holder_test() ->
    [H1, H2, F] = pids(3),
    {{ok, _, T1}, _, L1} = lock(H1, F, make_ref(), new()),
    %% Past its 30 s, another holder asks: the lock is given away.
    {{ok, <<>>, _}, [], L2} = run({lock, ?ID, H2, F, make_ref(), 5000, 30000}, 31000, L1),
    {{error, lock_lost}, [], _} = run({write, ?ID, T1, <<"late">>, 60}, L2),
    ok.

-spec an_expired_lock_nobody_wants_is_still_its_holders_test() -> ok.
an_expired_lock_nobody_wants_is_still_its_holders_test() ->
    [H1, F] = pids(2),
    {{ok, _, T1}, _, L1} = lock(H1, F, make_ref(), new()),
    {ok, [], _} = run({write, ?ID, T1, <<"late">>, 60}, 31000, L1),
    ok.

-spec repeated_write_is_done_test() -> ok.
repeated_write_is_done_test() ->
    [H, F] = pids(2),
    {{ok, _, T}, _, L1} = lock(H, F, make_ref(), new()),
    {ok, [], L2} = run({write, ?ID, T, <<"x">>, 60}, L1),
    {ok, [], L3} = run({write, ?ID, T, <<"x">>, 60}, L2),
    %% The same grant with other data is not a repeat.
    {{error, lock_lost}, [], _} = run({write, ?ID, T, <<"y">>, 60}, L3),
    ok.

-spec holder_down_releases_test() -> ok.
holder_down_releases_test() ->
    [H1, H2, H3, F] = pids(4),
    R2 = make_ref(),
    {{ok, _, T1}, _, L1} = lock(H1, F, make_ref(), new()),
    {queued, [], L2} = lock(H2, F, R2, L1),
    {queued, [], L3} = lock(H3, F, make_ref(), L2),
    %% H2 dies while it waits, then H1 while it holds: H3 is next.
    {ok, [], L4} = run({holder_down, H2}, L3),
    {ok, [{send_msg, F, {peb_raft_grant, _, {ok, _, _}}}], L5} = run({holder_down, H1}, L4),
    {{error, lock_lost}, [], _} = run({write, ?ID, T1, <<"dead">>, 60}, L5),
    ok.

-spec front_down_releases_its_holders_test() -> ok.
front_down_releases_its_holders_test() ->
    [H1, H2, F1, F2] = pids(4),
    R2 = make_ref(),
    {{ok, _, _}, _, L1} = lock(H1, F1, make_ref(), new()),
    {queued, [{monitor, process, F2}], L2} = lock(H2, F2, R2, L1),
    %% Ra's monitor of the front fired (its node went, or it died).
    {ok, [{send_msg, F2, {peb_raft_grant, R2, {ok, _, _}}}], {S, _, _}} =
        run({down, F1, noconnection}, L2),
    %% A new leader monitors the fronts that are left.
    ?assertEqual([{monitor, process, F2}], ?M:state_enter(leader, S)),
    ?assertEqual([], ?M:state_enter(follower, S)),
    ok.

-spec cancel_releases_a_wait_or_a_grant_test() -> ok.
cancel_releases_a_wait_or_a_grant_test() ->
    [H1, H2, F] = pids(3),
    R1 = make_ref(), R2 = make_ref(),
    {{ok, _, _}, _, L1} = lock(H1, F, R1, new()),
    {queued, [], L2} = lock(H2, F, R2, L1),
    {ok, [], L3} = run({cancel, ?ID, R2}, L2),
    {ok, [], L4} = run({cancel, ?ID, R1}, L3),
    {{ok, _, _}, [], _} = lock(H2, F, make_ref(), L4),
    ok.

-spec expiry_is_the_commands_time_test() -> ok.
expiry_is_the_commands_time_test() ->
    L0 = new(),
    {ok, [], L1} = run({write, ?ID, 0, <<"short">>, 10}, L0),
    {{ok, <<"short">>, 0}, [], L2} = run({read, ?ID}, 9999, L1),
    {{ok, <<>>, 0}, [], {S, _, Now}} = run({read, ?ID}, 1, L2),
    ?assertNot(?M:is_live(?ID, Now, S)),
    ?assertEqual({<<>>, 0}, ?M:lookup(?ID, Now, S)),
    %% The leader's tick asks for a sweep once a minute; the sweep removes it.
    ?assertEqual([{append, {tick, Now + 60000}}], ?M:tick(Now + 60000, S)),
    {ok, [], {S2, _, _}} = run({tick, Now + 60000}, 60000, {S, 10, Now}),
    ?assertEqual(0, ?M:size(S2)),
    ok.

-spec waits_and_locks_expire_on_tick_test() -> ok.
waits_and_locks_expire_on_tick_test() ->
    [H1, H2, H3, F] = pids(4),
    R2 = make_ref(), R3 = make_ref(),
    {{ok, _, _}, _, L1} = run({lock, ?ID, H1, F, make_ref(), 0, 2000}, new()),
    {queued, [], L2} = run({lock, ?ID, H2, F, R2, 1000, 2000}, L1),
    {queued, [], L3} = run({lock, ?ID, H3, F, R3, 10000, 2000}, L2),
    %% After 1.5 s: H2's wait is over; after 2 s: H1's lock, which H3 gets.
    {ok, [{send_msg, F, {peb_raft_grant, R2, {error, lock_timeout}}}], L4} = run({tick, 0}, 1500, L3),
    {ok, [{send_msg, F, {peb_raft_grant, R3, {ok, _, _}}}], _} = run({tick, 0}, 600, L4),
    ok.

-spec time_never_goes_back_test() -> ok.
time_never_goes_back_test() ->
    L0 = new(),
    {ok, [], L1} = run({write, ?ID, 0, <<"x">>, 10}, L0),
    {{ok, <<>>, 0}, [], {S, I, N}} = run({read, ?ID}, 10000, L1),
    %% A new leader whose clock is behind: an expired session stays expired.
    {{ok, <<>>, 0}, [], _} = run({read, ?ID}, 0, {S, I, N - 5000}),
    ok.

-spec replicas_agree_test() -> ok.
replicas_agree_test() ->
    [H1, H2, F] = pids(3),
    Log = [{lock, ?ID, H1, F, make_ref(), 5000, 30000}, {lock, ?ID, H2, F, make_ref(), 5000, 30000},
           {write, ?ID, {2, 0, {raft, store}}, <<"a">>, 60}, {holder_down, H2}, {gc, undefined},
           {write, <<"other">>, 0, <<"b">>, 1}, {tick, 0}],
    Replay = fun() ->
                     {S, _, _} = lists:foldl(fun(C, Acc) -> element(3, run(C, 700, Acc)) end, new(), Log),
                     S
             end,
    ?assertEqual(Replay(), Replay()),
    ok.

-spec snapshots_are_offered_test() -> ok.
snapshots_are_offered_test() ->
    Write = fun(N, Acc) -> element(3, run({write, integer_to_binary(N rem 10), 0, <<>>, 60}, Acc)) end,
    Log = lists:foldl(Write, new(), lists:seq(1, 4094)),
    {{ok, <<>>, 0}, [{release_cursor, 4096, S}], _} = run({read, ?ID}, Log),
    ?assertEqual(10, ?M:size(S)),
    %% With 3,000 sessions, after 6,000 commands: a snapshot's cost stays
    %% a constant share of each command's.
    Id = fun(N) when N =< 3000 -> integer_to_binary(N); (_) -> <<"1">> end,
    {_, Cursors} = lists:foldl(
        fun(N, {Acc, Found}) ->
                {ok, Effects, Next} = run({write, Id(N), 0, <<>>, 60}, Acc),
                {Next, Found ++ [I || {release_cursor, I, _} <- Effects]}
        end, {new(), []}, lists:seq(1, 7000)),
    ?assertEqual([6000], Cursors),
    ok.

%% Every member sends its own node's peb_session_subs what a command did
%% (a `local' effect): a write that changed the session, with its tags; not
%% a repeat; a destroy, a destroy by tag, the sweep's expiries.
-spec subscribers_hear_of_changes_test() -> ok.
subscribers_hear_of_changes_test() ->
    [H, F] = pids(2),
    News = fun({_, Effects, _}) -> [N || E <- Effects, N <- [news(E)], N =/= false] end,
    W1 = run_all({write, ?ID, 0, <<"a">>, 60, [<<"user:1">>]}, 0, new()),
    ?assertEqual([{written, ?ID, [<<"user:1">>]}], News(W1)),
    {{ok, <<"a">>, Token}, _, L2} = lock(H, F, make_ref(), element(3, W1)),
    W2 = run_all({write, ?ID, Token, <<"b">>, 60}, 0, L2),
    ?assertEqual([{written, ?ID, [<<"user:1">>]}], News(W2)),
    %% The same write again (after a failover): done already, not told again.
    ?assertEqual([], News(run_all({write, ?ID, Token, <<"b">>, 60}, 0, element(3, W2)))),
    ?assertEqual([], News(run_all({read, ?ID}, 0, element(3, W2)))),
    D = run_all({destroy, ?ID, 0}, 0, element(3, W2)),
    ?assertEqual([{destroyed, ?ID, [<<"user:1">>]}], News(D)),
    ?assertEqual([], News(run_all({destroy, ?ID, 0}, 0, element(3, D)))),
    T1 = run_all({write, <<"t1">>, 0, <<>>, 120, [<<"g">>]}, 0, element(3, D)),
    T2 = run_all({write, <<"t2">>, 0, <<>>, 1, [<<"g">>]}, 0, element(3, T1)),
    ?assertEqual([{destroyed, <<"t1">>, [<<"g">>]}, {destroyed, <<"t2">>, [<<"g">>]}],
                 News(run_all({tagged, destroy, <<"g">>}, 0, element(3, T2)))),
    %% The sweep, a minute on: t2 (1 s) expired, t1 (120 s) not yet.
    ?assertEqual([{expired, <<"t2">>, [<<"g">>]}], News(run_all({tick, 0}, 60000, element(3, T2)))),
    ok.
