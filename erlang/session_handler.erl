%% @doc The session store that PHP's peb extension talks to.
%%
%% Sessions live in the public ETS table `session_handler' as
%% `{Id, Data, ExpiresAt, TouchedAt}' (binaries; times in milliseconds of
%% `erlang:system_time/1'). The table is owned by the supervisor registered
%% as `session_handler_sup', not by the server, so that the sessions outlive
%% a crash of the server: the supervisor restarts the server, which finds
%% the table as it was (only the locks, which live in the server, are lost).
%%
%% The supervisor's callback lives in this module too (init(tree)), so that
%% a node prepared the classic way, `c(session_handler).
%% session_handler:start().', has all it needs from one file.
%% A record whose ExpiresAt has passed is never returned, whether or not
%% the periodic sweep has removed it yet.
%%
%% This module owns the per-session locks: the gen_server registered as
%% `session_handler' grants each id to one holder at a time, queues the
%% other holders in FIFO order, and releases a lock when its holder writes,
%% when the lock expires, or when the holder goes down. The extension sends
%% its requests as raw gen_server calls, `{'$gen_call', {Pid, peb}, Request}',
%% and waits for `{peb, Reply}'; see handle_call/3 for the requests.
%%
%% The classic functions read/1, write/2, destroy/1 and gc/1 (the 2009
%% article's API, still used by the userland PHP handler through rpc) work
%% on the same table and take no locks.
%%
%% Ids and data are never turned into atoms: they come from the network.
-module(session_handler).
-behaviour(gen_server).

-export([version/0, start/0, ensure/0, stop/0, stats/0]).
-export([read/1, write/2, destroy/1, gc/1]).
-export([start_link/0, start_tree_link/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2,
         code_change/3]).

-define(TABLE, ?MODULE).
-define(SUP, session_handler_sup).
%% Bump when the protocol or the state changes: the extension installs its
%% own beams into a node whose version/0 is older than the one it speaks.
-define(VERSION, 1).
%% PHP's default session.gc_maxlifetime, for the classic write/2.
-define(CLASSIC_LIFETIME_S, 1440).
%% Times (ms or s) and tokens: non-negative integers.
-define(IS_NAT(T), (is_integer(T) andalso T >= 0)).
%% The longest timer erlang:send_after/3 accepts (about 49 days).
-define(MAX_TIMER_MS, 16#FFFFFFFF).

-type id() :: binary().
-type lock() :: #{holder := pid(), token := pos_integer(), timer := reference()}.
-type waiter() :: #{ref := reference(), from := gen_server:from(), holder := pid(),
                    expire_ms := non_neg_integer(), timer := reference()}.
%% A map, and only plain data in it (no funs), so that a newer version of
%% this module, loaded under a running server, can still read it.
-type state() :: #{version := pos_integer(),
                   locks := #{id() => lock()},
                   waiters := #{id() => queue:queue(waiter())},
                   monitors := #{pid() => {reference(), non_neg_integer()}},
                   counters := #{atom() => non_neg_integer()},
                   sweep_timer := reference()}.

%%--------------------------------------------------------------------
%% Starting and stopping

-spec version() -> pos_integer().
version() ->
    ?VERSION.

%% @doc Starts the supervision tree unless it runs. The caller is usually
%% a short-lived rpc worker, so the tree is unlinked from it at once.
-spec start() -> ok.
start() ->
    ok = case whereis(?SUP) of
             undefined -> start_tree();
             _ -> ok
         end,
    %% Another caller may be starting the tree at this moment, its
    %% supervisor registered but its server not yet: the supervisor answers
    %% a call only once it has started its children, and a request sent to
    %% the server's name before it exists would be lost.
    _ = supervisor:which_children(?SUP),
    ok.

%% @doc What the extension calls once per connection: starts the tree if
%% needed and says which protocol version runs.
-spec ensure() -> {ok, pos_integer()}.
ensure() ->
    ok = start(),
    {ok, version()}.

%% @doc Stops the tree; the table, owned by the supervisor, goes with it.
-spec stop() -> ok.
stop() ->
    case whereis(?SUP) of
        undefined ->
            ok;
        Sup ->
            try gen_server:stop(Sup)
            catch exit:noproc -> ok
            end
    end.

%% @doc The supervisor (a `supervisor' whose callback is init(tree)).
-spec start_tree_link() -> supervisor:startlink_ret().
start_tree_link() ->
    supervisor:start_link({local, ?SUP}, ?MODULE, tree).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc Counters of the server since it (re)started, and its current load:
%% sessions, locks, waiters, monitors (holders with a lock or a wait) and
%% watched (holders monitored, idle ones included, until they go down).
-spec stats() -> #{atom() => non_neg_integer()}.
stats() ->
    gen_server:call(?MODULE, stats).

start_tree() ->
    Legacy = take_over_legacy(),
    case start_tree_link() of
        {ok, Sup} ->
            unlink(Sup),
            restore(Legacy);
        {error, {already_started, _}} ->
            %% Another caller won the race; its tree is as good as ours.
            restore(Legacy);
        {error, Reason} ->
            error({session_handler_start, Reason})
    end.

%% A node prepared by hand may still run the 2009 store: a process registered
%% as session_handler that owns the table, with `{Id, Data, WrittenAtSeconds}'
%% records. Keep its sessions and stop it, so that the supervisor can create
%% the table. (Whoever owns the table but is not registered under our name is
%% our own supervisor, and is left alone.)
take_over_legacy() ->
    Owner = ets:info(?TABLE, owner),
    case is_pid(Owner) andalso
         process_info(Owner, registered_name) =:= {registered_name, ?MODULE} of
        true ->
            Records = [from_legacy(R) || R <- ets:tab2list(?TABLE)],
            stop_process(Owner),
            Records;
        false ->
            []
    end.

from_legacy({Id, Data, WrittenS}) when is_binary(Id), is_binary(Data), is_integer(WrittenS) ->
    {Id, Data, (WrittenS + ?CLASSIC_LIFETIME_S) * 1000, WrittenS * 1000};
from_legacy(Record) ->
    Record.

stop_process(Pid) ->
    Ref = monitor(process, Pid),
    Pid ! stop,
    receive
        {'DOWN', Ref, process, Pid, _} -> ok
    after 5000 ->
        exit(Pid, kill),
        receive {'DOWN', Ref, process, Pid, _} -> ok end
    end.

%% insert_new: a session written since the take-over is newer than ours.
restore(Records) ->
    _ = [ets:insert_new(?TABLE, R) || R <- Records, tuple_size(R) =:= 4],
    ok.

%%--------------------------------------------------------------------
%% The classic API: no locks

%% @doc The session's data, or <<>> when there is none or it expired.
%% Through the server, like write/2 and destroy/1: a request of the
%% extension that arrived before this call (a write it did not wait for)
%% is then handled first.
-spec read(iodata()) -> binary().
read(Id) ->
    {ok, Data, 0} = gen_server:call(?MODULE, {read, iolist_to_binary(Id), nolock}),
    Data.

%% @doc Stores the session for PHP's default gc_maxlifetime.
-spec write(iodata(), iodata()) -> ok.
write(Id, Data) ->
    gen_server:call(?MODULE, {write, iolist_to_binary(Id), 0, iolist_to_binary(Data), ?CLASSIC_LIFETIME_S}).

-spec destroy(iodata()) -> ok.
destroy(Id) ->
    gen_server:call(?MODULE, {destroy, iolist_to_binary(Id), 0}).

%% @doc Removes the sessions that expired or were not written or touched in
%% the last MaxLifetime seconds; returns how many.
-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetime) when is_integer(MaxLifetime), MaxLifetime >= 0 ->
    Now = now_ms(),
    Oldest = Now - MaxLifetime * 1000,
    ets:select_delete(?TABLE, [{{'_', '_', '$1', '$2'},
                                [{'orelse', {'=<', '$1', Now}, {'<', '$2', Oldest}}],
                                [true]}]).

%%--------------------------------------------------------------------
%% The table

now_ms() ->
    erlang:system_time(millisecond).

lookup(Id) ->
    Now = now_ms(),
    case ets:lookup(?TABLE, Id) of
        [{_, Data, ExpiresAt, _}] when ExpiresAt > Now ->
            Data;
        [Expired] ->
            %% delete_object, not delete: a fresh write may have replaced it.
            true = ets:delete_object(?TABLE, Expired),
            <<>>;
        [] ->
            <<>>
    end.

is_live(Id) ->
    Now = now_ms(),
    case ets:lookup(?TABLE, Id) of
        [{_, _, ExpiresAt, _}] -> ExpiresAt > Now;
        _ -> false
    end.

store(Id, Data, LifetimeS) ->
    Now = now_ms(),
    true = ets:insert(?TABLE, {Id, Data, Now + LifetimeS * 1000, Now}),
    ok.

%% An expired session stays expired: touching it must not revive it.
touch(Id, LifetimeS) ->
    Now = now_ms(),
    _ = is_live(Id) andalso
        ets:update_element(?TABLE, Id, [{3, Now + LifetimeS * 1000}, {4, Now}]),
    ok.

delete_expired() ->
    ets:select_delete(?TABLE, [{{'_', '_', '$1', '_'}, [{'=<', '$1', now_ms()}], [true]}]).

%%--------------------------------------------------------------------
%% gen_server

%% init(tree) runs in the supervisor, init([]) in the server.
-spec init(tree | []) -> {ok, state()} | {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init(tree) ->
    ?TABLE = ets:new(?TABLE, [named_table, public, set,
                              {read_concurrency, true}, {write_concurrency, true}]),
    use_local_group_leader(),
    Server = #{id => ?MODULE,
               start => {?MODULE, start_link, []},
               restart => permanent,
               shutdown => 5000,
               type => worker,
               modules => [?MODULE]},
    {ok, {#{strategy => one_for_one, intensity => 10, period => 10}, [Server]}};
init([]) ->
    Counters = maps:from_list([{K, 0} || K <- [reads, writes, touches, destroys, gcs]]),
    {ok, #{version => ?VERSION,
           locks => #{},
           waiters => #{},
           monitors => #{},
           counters => Counters,
           sweep_timer => schedule_sweep()}}.

%% From is {Pid, Tag} with any Tag (the extension sends the atom peb), so
%% replies always go through gen_server:reply/2 or {reply, ...}.
-spec handle_call(term(), gen_server:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
handle_call({read, Id, nolock}, _From, S) when is_binary(Id) ->
    {reply, {ok, lookup(Id), 0}, count(reads, S)};
handle_call({read, Id, {lock, Holder, WaitMs, ExpireMs}}, From, S)
  when is_binary(Id), is_pid(Holder), ?IS_NAT(WaitMs), ?IS_NAT(ExpireMs) ->
    {noreply, lock(Id, Holder, WaitMs, ExpireMs, From, S)};
handle_call({write, Id, Token, Data, LifetimeS}, _From, S)
  when is_binary(Id), ?IS_NAT(Token), is_binary(Data), ?IS_NAT(LifetimeS) ->
    with_lock(Id, Token, writes, fun() -> store(Id, Data, LifetimeS) end, S);
handle_call({touch, Id, Token, LifetimeS}, _From, S)
  when is_binary(Id), ?IS_NAT(Token), ?IS_NAT(LifetimeS) ->
    with_lock(Id, Token, touches, fun() -> touch(Id, LifetimeS) end, S);
handle_call({release, Id, Token}, _From, S) when is_binary(Id), ?IS_NAT(Token) ->
    {reply, ok, release(Id, Token, S)};
handle_call({destroy, Id, Token}, _From, S) when is_binary(Id), ?IS_NAT(Token) ->
    true = ets:delete(?TABLE, Id),
    {reply, ok, release(Id, Token, count(destroys, S))};
handle_call({gc}, _From, S) ->
    {reply, delete_expired(), count(gcs, S)};
handle_call({exists, Id}, _From, S) when is_binary(Id) ->
    {reply, is_live(Id), S};
handle_call(stats, _From, S) ->
    {reply, stats(S), S};
handle_call(_Request, _From, S) ->
    {reply, {error, badarg}, S}.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info({wait_timeout, Id, Ref}, S) ->
    {noreply, wait_timeout(Id, Ref, S)};
handle_info({lock_expired, Id, Token}, S) ->
    %% A timer that fires after its lock was released carries a stale token.
    {noreply, release(Id, Token, S)};
handle_info({'DOWN', Ref, process, Holder, _Reason}, S = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, _}} -> {noreply, holder_down(Holder, S)};
        _ -> {noreply, S}
    end;
handle_info(sweep, S) ->
    _ = delete_expired(),
    {noreply, S#{sweep_timer := schedule_sweep()}};
handle_info(_Msg, S) ->
    {noreply, S}.

-spec terminate(term(), state()) -> ok.
terminate(_Reason, _S) ->
    ok.

-spec code_change(term(), state(), term()) -> {ok, state()}.
code_change(_OldVsn, S, _Extra) ->
    {ok, S}.

%% The tree inherits the group leader of the rpc caller, which may be a
%% process of the (PHP) node that asked; the tree outlives that node's
%% connection, so it takes the local node's instead.
use_local_group_leader() ->
    case whereis(user) of
        undefined -> ok;
        User -> true = group_leader(User, self()), ok
    end.

schedule_sweep() ->
    erlang:send_after(application:get_env(peb, sweep_interval_ms, 60000), self(), sweep).

count(Key, S = #{counters := C}) ->
    S#{counters := maps:update_with(Key, fun(N) -> N + 1 end, 1, C)}.

stats(#{locks := Locks, waiters := Waiters, monitors := Monitors, counters := C}) ->
    C#{sessions => ets:info(?TABLE, size),
       locks => map_size(Locks),
       waiters => lists:sum([queue:len(Q) || Q <- maps:values(Waiters)]),
       monitors => map_size(maps:filter(fun(_, {_, N}) -> N > 0 end, Monitors)),
       watched => map_size(Monitors)}.

%%--------------------------------------------------------------------
%% Locks

%% Token 0 is an unlocked operation and always allowed; any other token must
%% be the current grant, which the operation then releases.
with_lock(_Id, 0, Counter, Do, S) ->
    ok = Do(),
    {reply, ok, count(Counter, S)};
with_lock(Id, Token, Counter, Do, S) ->
    case holds(Id, Token, S) of
        true ->
            ok = Do(),
            {reply, ok, release_lock(Id, count(Counter, S))};
        false ->
            {reply, {error, lock_lost}, S}
    end.

holds(Id, Token, #{locks := Locks}) ->
    case Locks of
        #{Id := #{token := Token}} -> Token > 0;
        _ -> false
    end.

lock(Id, Holder, WaitMs, ExpireMs, From, S = #{locks := Locks}) ->
    case Locks of
        #{Id := Lock = #{holder := Holder}} ->
            %% A lock leaked by an earlier request of the same (single
            %% threaded) PHP process: grant it again, the old token dies.
            cancel_timer(Lock),
            grant(Id, Holder, ExpireMs, From, S);
        #{Id := _} ->
            enqueue(Id, Holder, WaitMs, ExpireMs, From, S);
        #{} ->
            grant(Id, Holder, ExpireMs, From, add_monitor(Holder, S))
    end.

%% The data is read when the lock is granted, not when it was asked for:
%% a waiter must see what the previous holder wrote.
grant(Id, Holder, ExpireMs, From, S = #{locks := Locks}) ->
    Token = erlang:unique_integer([positive]),
    Timer = send_after(ExpireMs, {lock_expired, Id, Token}),
    gen_server:reply(From, {ok, lookup(Id), Token}),
    count(reads, S#{locks := Locks#{Id => #{holder => Holder, token => Token, timer => Timer}}}).

enqueue(Id, Holder, WaitMs, ExpireMs, From, S = #{waiters := Waiters}) ->
    Ref = make_ref(),
    Waiter = #{ref => Ref, from => From, holder => Holder, expire_ms => ExpireMs,
               timer => send_after(WaitMs, {wait_timeout, Id, Ref})},
    Queue = maps:get(Id, Waiters, queue:new()),
    add_monitor(Holder, S#{waiters := Waiters#{Id => queue:in(Waiter, Queue)}}).

release(Id, Token, S) ->
    case holds(Id, Token, S) of
        true -> release_lock(Id, S);
        false -> S
    end.

%% The holder's monitor count passes to the next holder's grant.
release_lock(Id, S = #{locks := Locks}) ->
    #{Id := Lock = #{holder := Holder}} = Locks,
    cancel_timer(Lock),
    grant_next(Id, remove_monitor(Holder, S#{locks := maps:remove(Id, Locks)})).

grant_next(Id, S = #{waiters := Waiters}) ->
    case Waiters of
        #{Id := Queue} ->
            {{value, Waiter}, Rest} = queue:out(Queue),
            #{from := From, holder := Holder, expire_ms := ExpireMs} = Waiter,
            cancel_timer(Waiter),
            grant(Id, Holder, ExpireMs, From, S#{waiters := put_queue(Id, Rest, Waiters)});
        #{} ->
            S
    end.

%% Every id in waiters has a non-empty queue.
put_queue(Id, Queue, Waiters) ->
    case queue:is_empty(Queue) of
        true -> maps:remove(Id, Waiters);
        false -> Waiters#{Id => Queue}
    end.

%% The timer may fire just after the waiter was granted: then it is gone.
wait_timeout(Id, Ref, S = #{waiters := Waiters}) ->
    Queue = maps:get(Id, Waiters, queue:new()),
    case partition(fun(#{ref := R}) -> R =:= Ref end, Queue) of
        {[], _} ->
            S;
        {[#{from := From, holder := Holder}], Rest} ->
            gen_server:reply(From, {error, lock_timeout}),
            remove_monitor(Holder, S#{waiters := put_queue(Id, Rest, Waiters)})
    end.

%% The holder died or its node's connection was lost (noconnection). Its
%% monitor has fired, so it is forgotten first: dropping the waits and
%% releasing the locks then leave no count behind. The waits go before the
%% locks, so that a released lock is never granted to the dead holder.
%% Nobody answers the dropped waits: their caller was the holder's own side.
holder_down(Holder, S = #{monitors := Monitors, waiters := Waiters0, locks := Locks}) ->
    Waiters = maps:fold(
        fun(Id, Queue, Ws) ->
            {Gone, Rest} = partition(fun(#{holder := H}) -> H =:= Holder end, Queue),
            lists:foreach(fun cancel_timer/1, Gone),
            put_queue(Id, Rest, Ws)
        end, Waiters0, Waiters0),
    Held = maps:keys(maps:filter(fun(_, #{holder := H}) -> H =:= Holder end, Locks)),
    lists:foldl(fun release_lock/2,
                S#{monitors := maps:remove(Holder, Monitors), waiters := Waiters}, Held).

%% The waiters for which Pred holds, as a list, and the queue of the others.
partition(Pred, Queue) ->
    {Yes, No} = lists:partition(Pred, queue:to_list(Queue)),
    {Yes, queue:from_list(No)}.

%% A wait or a lock longer than a timer can run is as good as endless.
send_after(Ms, Msg) ->
    erlang:send_after(min(Ms, ?MAX_TIMER_MS), self(), Msg).

cancel_timer(#{timer := Timer}) ->
    ok = erlang:cancel_timer(Timer, [{async, true}, {info, false}]).

%% One monitor per holder, counting its locks and waits. A holder is the
%% connection of a PHP process, which comes back request after request: its
%% monitor is kept when the count drops to 0 (a monitor of a remote pid
%% costs a message to its node each way), and goes when the holder does.
add_monitor(Holder, S = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} ->
            S#{monitors := Monitors#{Holder := {Ref, N + 1}}};
        #{} ->
            S#{monitors := Monitors#{Holder => {monitor(process, Holder), 1}}}
    end.

remove_monitor(Holder, S = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} when N > 0 ->
            S#{monitors := Monitors#{Holder := {Ref, N - 1}}};
        #{} ->
            S
    end.
