%% @doc EUnit tests of the Mnesia store: three peer nodes on 127.0.0.1,
%% formed with peb_session:create/1 and join/2, driven from this node
%% (which must be distributed: scripts/test runs EUnit as a node under its
%% private epmd). Requests are sent as the extension sends them, raw
%% gen_server calls to session_handler on one node or another.
-module(peb_session_cluster_tests).
-compile(warn_missing_spec).

-export([cluster_test_/0, subscribe_and_relay/2]).

-include("peb_test_assert.hrl").

-spec cluster_test_() -> term().
cluster_test_() ->
    case node() of
        nonode@nohost ->
            [];   % not distributed: nothing to run (scripts/test makes it so)
        _ ->
            {setup, fun start_cluster/0, fun stop_cluster/1,
             fun(Cluster) ->
                 {inorder,
                  [{timeout, 60, fun() -> T(Cluster) end}
                   || T <- [fun view_and_leader/1,
                            fun lock_held_across_nodes/1,
                            fun holder_down_through_a_front/1,
                            fun sweep_reads_expired_minutes/1,
                            fun leader_lost_write_kept/1,
                            fun leader_lost_stale_write_refused/1,
                            fun tags_and_subscribers/1,
                            fun minority_refuses_changes/1]]}
             end}
    end.

%%--------------------------------------------------------------------
%% The cluster

start_cluster() ->
    Ebin = filename:dirname(code:which(session_handler)),
    Args = ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Ebin,
            "-kernel", "prevent_overlapping_partitions", "false",
            "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-start_epmd", "false",
            "-kernel", "logger_level", "error"],
    Base = "ct" ++ os:getpid() ++ "_",
    Peers = [begin
                 {ok, Peer, Node} = peer:start_link(#{name => Base ++ integer_to_list(N),
                                                      host => "localhost", args => Args}),
                 {Peer, Node}
             end || N <- [1, 2, 3]],
    [{_, N1}, {_, N2}, {_, N3}] = Peers,
    ok = erpc:call(N1, peb_session, create, [ram]),
    ok = erpc:call(N2, peb_session, join, [N1, ram]),
    ok = erpc:call(N3, peb_session, join, [N1, ram]),
    [wait_until(fun() -> ready(N, 3) end) || N <- [N1, N2, N3]],
    Peers.

stop_cluster(Peers) ->
    lists:foreach(fun({P, _}) -> stop_peer(P) end, Peers).

%% A test may have stopped it already.
stop_peer(P) ->
    try
        peer:stop(P)
    catch
        _:_ -> ok
    end.

ready(Node, Running) ->
    case answer(fun() -> status(Node) end) of
        #{status := ok, running := R, copy := C} -> length(R) =:= Running andalso C =/= unknown;
        _ -> false
    end.

%%--------------------------------------------------------------------
%% Tests

view_and_leader([{_, N1}, {_, N2}, {_, N3}]) ->
    Leader = lists:min([N1, N2, N3]),
    [?assertMatch(#{status := ok, leader := Leader, storage := ram_copies}, status(N))
     || N <- [N1, N2, N3]],
    ok = call(N2, {write, <<"v">>, 0, <<"through 2">>, 60}),
    ?assertEqual({ok, <<"through 2">>, 0}, call(N3, {read, <<"v">>, nolock})).

%% Through node 2 and node 3 the same lock: the second waits for the first.
lock_held_across_nodes([_, {_, N2}, {_, N3}]) ->
    Id = <<"across">>,
    {ok, <<>>, T1} = call(N2, lock(Id, self())),
    Parent = self(),
    W = spawn(fun() -> Parent ! {self(), call(N3, lock(Id, self()))} end),
    wait_until(fun() -> maps:get(forwarded, stats(N3)) =:= 1 end),
    ok = call(N2, {write, Id, T1, <<"first">>, 60}),
    {ok, <<"first">>, T2} = receive {W, R} -> R after 5000 -> timeout end,
    ok = call(N3, {release, Id, T2}),
    no_locks().

%% A holder dies: the node it came through tells the leader, which grants
%% the lock to the next one at once.
holder_down_through_a_front([_, {_, N2}, {_, N3}]) ->
    Id = <<"front">>,
    Parent = self(),
    Holder = spawn(fun() -> Parent ! {locked, call(N2, lock(Id, self()))}, receive _ -> ok end end),
    {ok, _, _} = receive {locked, L} -> L after 5000 -> timeout end,
    W = spawn(fun() -> Parent ! {self(), call(N3, lock(Id, self()))} end),
    wait_until(fun() -> maps:get(forwarded, stats(N3)) =:= 1 end),
    exit(Holder, kill),
    {ok, _, T} = receive {W, R} -> R after 5000 -> timeout end,
    ok = call(N3, {release, Id, T}),
    no_locks().

%% Expired sessions are found by their expiry minute, from where the last
%% sweep stopped; live ones stay.
sweep_reads_expired_minutes([_, {_, N2}, _]) ->
    [ok = call(N2, {write, <<"exp", I>>, 0, <<"x">>, 0}) || I <- [1, 2, 3]],
    ok = call(N2, {write, <<"live">>, 0, <<"x">>, 60}),
    {Swept, Cursor} = erpc:call(N2, peb_session_mnesia, sweep, [undefined]),
    ?assertEqual(3, Swept),
    [ok = call(N2, {write, <<"exp", I>>, 0, <<"x">>, 0}) || I <- [4, 5]],
    ?assertMatch({2, _}, erpc:call(N2, peb_session_mnesia, sweep, [Cursor])),
    ?assertEqual(true, call(N2, {exists, <<"live">>})).

%% The leader's node goes down while a lock it granted is held: the holder's
%% write, through another node, is taken by the new leader, as nobody
%% changed the session since it was read.
%% A request waiting at the old leader goes to the new one.
leader_lost_write_kept([{P1, _}, {_, N2}, {_, N3}]) ->
    Id = <<"kept">>,
    ok = call(N2, {write, Id, 0, <<"v1">>, 60}),
    {ok, <<"v1">>, T} = call(N2, lock(Id, self())),
    Waited = <<"waited">>,
    Parent = self(),
    Holder = spawn(fun() -> receive _ -> ok end end),
    {ok, _, THeld} = call(N2, lock(Waited, Holder)),
    %% The waiter stays alive: a holder that goes releases its lock.
    W = spawn(fun() -> Parent ! {self(), call(N3, lock(Waited, self()))}, receive _ -> ok end end),
    wait_until(fun() -> maps:get(forwarded, stats(N3)) =:= 1 end),
    ok = peer:stop(P1),
    {ok, _, TW} = receive {W, R} -> R after 10000 -> timeout end,
    ?assertEqual({error, lock_lost}, call(N2, {write, Waited, THeld, <<"holder">>, 60})),
    ok = call(N3, {write, Waited, TW, <<"waiter">>, 60}),
    exit(Holder, kill),
    exit(W, kill),
    wait_until(fun() -> ready(N2, 2) andalso ready(N3, 2) end),
    ?assertMatch(#{leader := N2}, status(N3)),
    ok = call(N3, {write, Id, T, <<"v2">>, 60}),
    ?assertEqual({ok, <<"v2">>, 0}, call(N2, {read, Id, nolock})),
    %% The same write again (a retry after a failover) is known as done.
    ok = call(N2, {write, Id, T, <<"v2">>, 60}),
    ok.

%% A grant from before a change is refused: no update is lost.
leader_lost_stale_write_refused([_, {_, N2}, {_, N3}]) ->
    Id = <<"stale">>,
    {ok, _, Old} = call(N3, lock(Id, self())),
    ok = erpc:call(N2, supervisor, terminate_child, [peb_session_sup, session_handler]),
    {ok, _} = erpc:call(N2, supervisor, restart_child, [peb_session_sup, session_handler]),
    %% The leader restarted without its locks; another holder writes first.
    Other = spawn(fun() -> receive _ -> ok end end),
    {ok, _, New} = call(N3, lock(Id, Other)),
    ok = call(N3, {write, Id, New, <<"newer">>, 60}),
    ?assertEqual({error, lock_lost}, call(N2, {write, Id, Old, <<"older">>, 60})),
    ?assertEqual({ok, <<"newer">>, 0}, call(N3, {read, Id, nolock})),
    exit(Other, kill).

%% One node of three left: it reads, but refuses writes and locks.
%% Tags written through one node are counted on the others and go with
%% the session everywhere; subscribers hear of the changes their node made.
tags_and_subscribers([_, {_, N2}, {_, N3}]) ->
    %% Node 1 is gone (the leader tests stopped it): two of three serve.
    OnN2 = subscriber(N2, {tag, <<"u:1">>}),
    OnN3 = subscriber(N3, {tag, <<"u:1">>}),
    ok = call(N2, {write, <<"t1">>, 0, <<"d">>, 60, [<<"u:1">>, <<"admin">>]}),
    ?assertEqual({OnN2, {peb_session, written, <<"t1">>, {tag, <<"u:1">>}}}, relayed()),
    ?assertEqual(1, erpc:call(N3, peb_session, count_tagged, [<<"u:1">>])),
    ?assertEqual([<<"t1">>], erpc:call(N3, peb_session, sessions_tagged, [<<"admin">>])),
    ?assertEqual(1, erpc:call(N3, peb_session, destroy_tagged, [<<"u:1">>])),
    ?assertEqual({OnN3, {peb_session, destroyed, <<"t1">>, {tag, <<"u:1">>}}}, relayed()),
    ?assertEqual({ok, <<>>, 0}, call(N2, {read, <<"t1">>, nolock})),
    [?assertEqual(0, erpc:call(N, mnesia, table_info, [peb_session_tag, size])) || N <- [N2, N3]],
    [exit(P, kill) || P <- [OnN2, OnN3]],
    ok.

%% A process on Node that subscribes to Key and relays what it gets.
subscriber(Node, Key) ->
    Pid = erpc:call(Node, erlang, spawn, [?MODULE, subscribe_and_relay, [Key, self()]]),
    receive {subscribed, Pid} -> Pid after 5000 -> erlang:error(no_subscriber) end.

-spec subscribe_and_relay(peb_session_subs:key(), pid()) -> no_return().
subscribe_and_relay({tag, Tag}, To) ->
    ok = peb_session:subscribe({tag, Tag}),
    To ! {subscribed, self()},
    relay(To).

relay(To) ->
    receive M -> To ! {relayed, self(), M}, relay(To) end.

relayed() ->
    receive {relayed, From, M} -> {From, M} after 5000 -> timeout end.

minority_refuses_changes([_, {P2, _}, {_, N3}]) ->
    ok = peer:stop(P2),
    wait_until(fun() -> maps:get(status, status(N3)) =:= no_majority end),
    ?assertEqual({error, no_majority}, call(N3, {write, <<"m">>, 0, <<"x">>, 60})),
    ?assertEqual({error, no_majority}, call(N3, lock(<<"m">>, self()))),
    ?assertEqual({ok, <<"newer">>, 0}, call(N3, {read, <<"stale">>, nolock})).

%%--------------------------------------------------------------------
%% Helpers

call(Node, Request) ->
    gen_server:call({session_handler, Node}, Request, 10000).

lock(Id, Holder) ->
    {read, Id, {lock, Holder, 5000, 30000}}.

status(Node) ->
    erpc:call(Node, peb_session, status, []).

stats(Node) ->
    erpc:call(Node, session_handler, stats, []).

no_locks() ->
    [wait_until(fun() ->
         case answer(fun() -> stats(N) end) of
             #{locks := 0, waiters := 0, forwarded := 0} -> true;
             _ -> false
         end
     end) || N <- nodes()].

%% What Fun returns, or the exception of a node that is not there (yet).
answer(Fun) ->
    try
        Fun()
    catch
        Class:Reason -> {Class, Reason}
    end.

wait_until(Fun) ->
    wait_until(Fun, 300).

wait_until(Fun, 0) ->
    erlang:error({timeout, erlang:fun_info(Fun, name)});
wait_until(Fun, N) ->
    case Fun() of
        true -> ok;
        _ -> timer:sleep(50), wait_until(Fun, N - 1)
    end.
