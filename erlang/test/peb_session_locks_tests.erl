%% @doc EUnit tests of the lock table alone (peb_session_locks), with the
%% ETS store and no server: the test process holds the table, as
%% session_handler does, gets the table's timers and monitors, passes them
%% on (message/2, down/3), and receives the replies, as a front would.
-module(peb_session_locks_tests).
-compile(warn_missing_spec).

-export([locks_test_/0]).

-include("peb_test_assert.hrl").

-define(L, peb_session_locks).
-define(LONG_MS, 60000).

-spec locks_test_() -> term().
locks_test_() ->
    [{name(Test), fun() -> with_store(Test) end}
     || Test <- [fun fifo_queue/0, fun holder_death_grants_next/0, fun waiter_death_drops_wait/0,
                 fun wait_timeout/0, fun lock_expiry_grants_next/0, fun front_death_releases/0,
                 fun stale_release_does_nothing/0, fun foreign_messages_ignored/0]].

%%--------------------------------------------------------------------
%% Tests

%% Waiters are granted in the order they asked, each reading what the
%% holder before it wrote.
-spec fifo_queue() -> ok.
fifo_queue() ->
    Id = <<"fifo">>,
    [H0, H1, H2] = [holder() || _ <- [0, 1, 2]],
    {F0, T0} = lock(Id, H0, ?LONG_MS, ?L:new()),
    {ok, <<>>, Token0} = reply(F0),
    {F1, T1} = lock(Id, H1, ?LONG_MS, T0),
    {F2, T2} = lock(Id, H2, ?LONG_MS, T1),
    ?assertMatch(#{locks := 1, waiters := 2, monitors := 3}, ?L:stats(T2)),
    none = no_reply(F1),
    T3 = request({write, Id, Token0, <<"0">>, 60}, ok, T2),
    {ok, <<"0">>, Token1} = reply(F1),
    none = no_reply(F2),
    T4 = request({write, Id, Token1, <<"1">>, 60}, ok, T3),
    {ok, <<"1">>, Token2} = reply(F2),
    T5 = request({release, Id, Token2}, ok, T4),
    ?assertMatch(#{locks := 0, waiters := 0, monitors := 0, reads := 3, writes := 2}, ?L:stats(T5)),
    stop([H0, H1, H2]).

%% The holder dies: its monitor fires and the next waiter gets the lock.
-spec holder_death_grants_next() -> ok.
holder_death_grants_next() ->
    Id = <<"dying">>,
    [H0, H1] = [holder(), holder()],
    {F0, T0} = lock(Id, H0, ?LONG_MS, ?L:new()),
    {ok, _, _} = reply(F0),
    {F1, T1} = lock(Id, H1, ?LONG_MS, T0),
    exit(H0, kill),
    T2 = down(H0, T1),
    {ok, _, Token1} = reply(F1),
    ?assertMatch(#{locks := 1, waiters := 0, monitors := 1, monitored := 1}, ?L:stats(T2)),
    T3 = request({release, Id, Token1}, ok, T2),
    ?assertMatch(#{locks := 0, monitors := 0, monitored := 1}, ?L:stats(T3)),
    stop([H1]).

%% A waiter that dies is dropped, unanswered; the lock stays with its holder.
-spec waiter_death_drops_wait() -> ok.
waiter_death_drops_wait() ->
    Id = <<"quitter">>,
    [H0, H1] = [holder(), holder()],
    {F0, T0} = lock(Id, H0, ?LONG_MS, ?L:new()),
    {ok, _, Token0} = reply(F0),
    {F1, T1} = lock(Id, H1, ?LONG_MS, T0),
    exit(H1, kill),
    T2 = down(H1, T1),
    ?assertMatch(#{locks := 1, waiters := 0, monitors := 1}, ?L:stats(T2)),
    T3 = request({release, Id, Token0}, ok, T2),
    none = no_reply(F1),
    ?assertMatch(#{locks := 0, waiters := 0}, ?L:stats(T3)),
    stop([H0]).

%% A wait longer than allowed is answered lock_timeout.
-spec wait_timeout() -> ok.
wait_timeout() ->
    Id = <<"busy">>,
    [H0, H1] = [holder(), holder()],
    {F0, T0} = lock(Id, H0, ?LONG_MS, ?L:new()),
    {ok, _, _} = reply(F0),
    {F1, T1} = lock(Id, H1, 50, ?LONG_MS, T0),
    T2 = pass(wait_timeout, T1),
    ?assertEqual({error, lock_timeout}, reply(F1)),
    ?assertMatch(#{locks := 1, waiters := 0, monitors := 1}, ?L:stats(T2)),
    stop([H0, H1]).

%% A lock that expires goes to the next waiter; the old token is dead.
-spec lock_expiry_grants_next() -> ok.
lock_expiry_grants_next() ->
    Id = <<"expiring">>,
    [H0, H1] = [holder(), holder()],
    {F0, T0} = lock(Id, H0, ?LONG_MS, 50, ?L:new()),
    {ok, _, Token0} = reply(F0),
    {F1, T1} = lock(Id, H1, ?LONG_MS, T0),
    T2 = pass(lock_expired, T1),
    {ok, _, Token1} = reply(F1),
    T3 = request({release, Id, Token0}, ok, T2),
    ?assertMatch(#{locks := 1}, ?L:stats(T3)),
    T4 = request({release, Id, Token1}, ok, T3),
    ?assertMatch(#{locks := 0}, ?L:stats(T4)),
    stop([H0, H1]).

%% A front that goes takes the locks and waits of the holders it watched.
-spec front_death_releases() -> ok.
front_death_releases() ->
    Id = <<"front">>,
    Front = holder(),
    [Remote, Local] = [holder(), holder()],
    T0 = ?L:watch_front(Front, ?L:new()),
    ?assertEqual(T0, ?L:watch_front(Front, T0)),
    {F0, T1} = lock(Id, Remote, {via, Front}, ?LONG_MS, ?LONG_MS, T0),
    {ok, _, _} = reply(F0),
    {F1, T2} = lock(Id, Local, ?LONG_MS, T1),
    ?assertMatch(#{fronts := 1, monitors := 1}, ?L:stats(T2)),
    exit(Front, kill),
    T3 = down(Front, T2),
    {ok, _, Token1} = reply(F1),
    ?assertMatch(#{fronts := 0, locks := 1}, ?L:stats(T3)),
    T4 = request({release, Id, Token1}, ok, T3),
    ?assertMatch(#{locks := 0, waiters := 0}, ?L:stats(T4)),
    stop([Remote, Local]).

%% A release with another token leaves the lock to its holder.
-spec stale_release_does_nothing() -> ok.
stale_release_does_nothing() ->
    Id = <<"stale">>,
    H0 = holder(),
    {F0, T0} = lock(Id, H0, ?LONG_MS, ?L:new()),
    {ok, _, Token = {Nonce, Vsn, Store}} = reply(F0),
    T1 = request({release, Id, {Nonce + 1, Vsn, Store}}, ok, T0),
    ?assertMatch(#{locks := 1}, ?L:stats(T1)),
    T2 = request({release, Id, Token}, ok, T1),
    ?assertMatch(#{locks := 0}, ?L:stats(T2)),
    stop([H0]).

%% What is not the table's own leaves it as it is.
-spec foreign_messages_ignored() -> ok.
foreign_messages_ignored() ->
    T = ?L:new(),
    ?assertEqual(ignore, ?L:message(sweep, T)),
    ?assertEqual(ignore, ?L:message({holder_down, not_a_pid}, T)),
    ?assertEqual(T, ?L:down(make_ref(), self(), T)),
    ok.

%%--------------------------------------------------------------------
%% Helpers

name(Test) ->
    {name, Name} = erlang:fun_info(Test, name),
    atom_to_list(Name).

%% The ETS store, created for one test by the test's own process.
with_store(Test) ->
    ok = peb_session_store:use(ets, peb_session_ets),
    ok = peb_session_ets:create(),
    try
        Test()
    after
        true = ets:delete(session_handler)
    end.

holder() ->
    spawn(fun() -> receive stop -> ok end end).

stop(Pids) ->
    lists:foreach(fun(P) -> P ! stop end, Pids).

lock(Id, Holder, WaitMs, T) ->
    lock(Id, Holder, WaitMs, ?LONG_MS, T).

lock(Id, Holder, WaitMs, ExpireMs, T) ->
    lock(Id, Holder, local, WaitMs, ExpireMs, T).

lock(Id, Holder, Via, WaitMs, ExpireMs, T) ->
    From = from(),
    {From, ?L:lead({read, Id, {lock, Holder, WaitMs, ExpireMs}}, From, Via, T)}.

%% A request answered at once, with Expected.
request(Request, Expected, T0) ->
    From = from(),
    T = ?L:lead(Request, From, local, T0),
    ?assertEqual(Expected, reply(From)),
    T.

%% A caller: this process, as a front that forwarded the request (a tag
%% of gen_server's own cannot be made by hand); replies come as {Tag, Reply}.
from() ->
    {self(), {fwd, make_ref()}}.

reply({_, Tag}) ->
    receive {Tag, Reply} -> Reply after 2000 -> error({no_reply, Tag}) end.

no_reply({_, Tag}) ->
    receive {Tag, Reply} -> {unexpected, Reply} after 50 -> none end.

%% The table's next timer of that kind, passed on to it.
pass(Kind, T) ->
    receive
        {Kind, _, _} = Msg ->
            {ok, Next} = ?L:message(Msg, T),
            Next
    after 2000 ->
        error({no_message, Kind})
    end.

%% Pid's 'DOWN', passed on to the table.
down(Pid, T) ->
    receive
        {'DOWN', Ref, process, Pid, _} -> ?L:down(Ref, Pid, T)
    after 2000 ->
        error({no_down, Pid})
    end.
