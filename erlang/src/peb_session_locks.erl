%% @doc The leader's lock table: who holds each session's lock, who waits
%% for it (FIFO, each with a deadline), the writes made under a lock, and
%% the counts of what was served under one. Its state, table(), is its own
%% (opaque to the others): a shard (peb_session_shard) keeps one in its state, calls
%% these functions when it is the leader, and passes on the messages the
%% table sends itself (message/2) and the monitors that fire (down/3).
%% Replies go straight to the caller (gen_server:reply/2), as a waiter is
%% answered later.
%%
%% A holder is a PHP connection: monitored here when it ends at this node
%% (via local), watched by the node it came through otherwise ({via,
%% Front}), which reports its death; a front that goes takes its holders'
%% locks with it. Versions (see peb_session_shard) make every write safe.
-module(peb_session_locks).
-compile(warn_missing_spec).

-export([new/0, lead/4, message/2, down/3, watch_front/2, stats/1, reply/2]).
-export_type([table/0, request/0, via/0, token/0, message/0, from/0]).

-define(STORE, peb_session_store).
%% The longest timer erlang:send_after/3 accepts (about 49 days).
-define(MAX_TIMER_MS, 16#FFFFFFFF).

-type id() :: peb_session_store:id().
%% A grant: {Nonce, the version read, the store that granted it}.
-type token() :: {pos_integer(), peb_session_store:vsn(), term()}.
%% local: the holder's connection ends here; {via, Front}: at that server.
-type via() :: local | {via, pid()}.
-type ms() :: non_neg_integer().
%% Who asked: a gen_server caller (the extension's connection too, with its
%% own tag), or a front that forwarded the request for one and relays
%% the reply ({fwd, Ref}).
-type from() :: gen_server:from() | {pid(), {fwd, reference()}}.
%% A lock request, or a request under a grant.
-type request() :: {read, id(), {lock, Holder :: pid(), WaitMs :: ms(), ExpireMs :: ms()}}
                 | {write, id(), token(), binary(), LifetimeS :: non_neg_integer()}
                 | {write, id(), token(), binary(), LifetimeS :: non_neg_integer(), [peb_session_tags:tag()]}
                 | {touch, id(), token(), LifetimeS :: non_neg_integer()}
                 | {release, id(), token()}
                 | {destroy, id(), token()}.
-type counter() :: reads | writes | touches | destroys.
%% What the table's timers and writers send to the server that holds it.
-type message() :: {stored, id(), token(), from(), counter(), term()}
                 | {wait_timeout, id(), reference()}
                 | {lock_expired, id(), token()}
                 | {holder_down, pid()}.
-type lock() :: #{holder := pid(), token := token(), timer := reference(), via := via()}.
-type waiter() :: #{ref := reference(), from := from(), holder := pid(),
                    via := via(), expire_ms := ms(), timer := reference()}.
%% Plain data (no funs), so that a newer version of this module, loaded
%% under a running server, can still read it.
-opaque table() :: #{locks := #{id() => lock()},
                     waiters := #{id() => queue:queue(waiter())},
                     monitors := #{pid() => {reference(), non_neg_integer()}},
                     fronts := #{pid() => reference()},
                     writing := #{id() => token()},
                     counters := #{counter() => non_neg_integer()}}.

%%--------------------------------------------------------------------
%% The interface

-spec new() -> table().
new() ->
    #{locks => #{}, waiters => #{}, monitors => #{}, fronts => #{}, writing => #{},
      counters => #{reads => 0, writes => 0, touches => 0, destroys => 0}}.

%% @doc Serves a lock request, or a request under a grant, for a caller
%% whose connection ends here (local) or at Front ({via, Front}).
-spec lead(request(), from(), via(), table()) -> table().
lead({read, Id, {lock, Holder, WaitMs, ExpireMs}}, From, Via, T) ->
    lock(Id, Holder, Via, WaitMs, ExpireMs, From, T);
lead({write, Id, Token, Data, LifetimeS}, From, _Via, T) ->
    {Nonce, _, _} = Token,
    guarded(Id, Token, From, writes, fun() -> ?STORE:write(Id, Data, LifetimeS, Nonce) end, T);
lead({write, Id, Token, Data, LifetimeS, Tags}, From, _Via, T) ->
    %% A tagged write (peb_session_tags): the same, its tags stored with it.
    {Nonce, _, _} = Token,
    guarded(Id, Token, From, writes, fun() -> ?STORE:write_tagged(Id, Data, LifetimeS, Nonce, Tags) end, T);
lead({touch, Id, Token, LifetimeS}, From, _Via, T) ->
    guarded(Id, Token, From, touches, fun() -> ?STORE:touch(Id, LifetimeS) end, T);
lead({release, Id, Token}, From, _Via, T) ->
    reply(From, ok),
    release(Id, Token, T);
lead({destroy, Id, Token}, From, _Via, T) ->
    ok = ?STORE:delete(Id),
    reply(From, ok),
    release(Id, Token, count(destroys, T)).

%% @doc A message the table sent itself (a timer, a replicated write done)
%% or a front's report of a holder's death; ignore for any other.
-spec message(term(), table()) -> {ok, table()} | ignore.
message({stored, Id, Token, From, Counter, Result}, T) ->
    {ok, stored(Id, Token, From, Counter, Result, T)};
message({wait_timeout, Id, Ref}, T) ->
    {ok, wait_timeout(Id, Ref, T)};
message({lock_expired, Id, Token}, T) ->
    %% A timer that fires after its lock was released carries a stale token.
    {ok, release(Id, Token, T)};
message({holder_down, Holder}, T) when is_pid(Holder) ->
    {ok, holder_down(Holder, T)};
message(_, _T) ->
    ignore.

%% @doc A monitor fired: the table's own ones (a holder here, a front) are
%% acted on; others leave it as it is.
-spec down(reference(), pid(), table()) -> table().
down(Ref, Pid, T0 = #{monitors := Monitors}) ->
    T = case Monitors of
            #{Pid := {Ref, _}} -> holder_down(Pid, T0);
            _ -> T0
        end,
    case T of
        #{fronts := #{Pid := Ref}} -> front_down(Pid, T);
        _ -> T
    end.

%% @doc A server that forwards requests to this one: its death takes the
%% locks and waits of the holders it watches.
-spec watch_front(pid(), table()) -> table().
watch_front(Front, T = #{fronts := Fronts}) ->
    case Fronts of
        #{Front := _} -> T;
        #{} -> T#{fronts := Fronts#{Front => monitor(process, Front)}}
    end.

%% @doc The table's load and counts: locks, waiters, monitors (local
%% holders with a lock or a wait), monitored (local holders watched, idle
%% ones included), fronts, and what was served under a lock (reads, writes,
%% touches, destroys).
-spec stats(table()) -> #{atom() => non_neg_integer()}.
stats(#{locks := Locks, waiters := Waiters, monitors := Monitors, fronts := Fronts,
        counters := Counters}) ->
    Counters#{locks => map_size(Locks),
              waiters => lists:sum([queue:len(Q) || Q <- maps:values(Waiters)]),
              monitors => map_size(maps:filter(fun(_, {_, N}) -> N > 0 end, Monitors)),
              monitored => map_size(Monitors),
              fronts => map_size(Fronts)}.

%% @doc Answers the caller: a front gets `{{fwd, Ref}, Reply}', as a
%% gen_server caller with that tag would.
-spec reply(from(), term()) -> ok.
reply({Front, {fwd, _} = Tag}, Reply) ->
    Front ! {Tag, Reply},
    ok;
reply(From, Reply) ->
    gen_server:reply(From, Reply).

%%--------------------------------------------------------------------
%% Writes under a grant

%% A write under a grant: taken while the session is at the version read
%% and nobody else holds its lock; already done if the session has the
%% grant's own version (a write repeated after a failover). A grant of
%% another store (an ETS node PHP used before this one failed over) is
%% taken where this store has no such session: it never knew it.
-spec guarded(id(), token(), from(), counter(), fun(() -> term()), table()) -> table().
guarded(Id, Token = {Nonce, Read, Store}, From, Counter, Do, T) ->
    Vsn = ?STORE:version(Id),
    Holder = lock_token(Id, T),
    Current = Vsn =:= Read orelse (Vsn =:= 0 andalso Store =/= ?STORE:id()),
    if
        Vsn =:= Nonce ->
            reply(From, ok),
            release(Id, Token, T);
        Current, Holder =:= none orelse Holder =:= Token ->
            store(Id, Token, From, Counter, Do, T);
        true ->
            reply(From, {error, lock_lost}),
            release(Id, Token, T)
    end.

%% ETS writes at once. A replicated write waits for the other nodes, so it
%% runs in a process of its own while this server goes on with the other
%% sessions; the session counts as being written (no lock is granted on it,
%% not even to the same holder) until it is done, so that the next holder
%% reads what was written.
store(Id, Token, From, Counter, Do, T = #{writing := Writing}) ->
    case ?STORE:replicated() of
        false ->
            stored(Id, Token, From, Counter, Do(), T);
        true ->
            Server = self(),
            _ = spawn(fun() -> Server ! {stored, Id, Token, From, Counter, safely(Do)} end),
            T#{writing := Writing#{Id => Token}}
    end.

%% Mnesia restarting under a write (after a partition): an error, not a crash.
safely(Do) ->
    try Do()
    catch
        exit:{aborted, _} -> {error, not_ready};
        error:{aborted, _} -> {error, not_ready}
    end.

stored(Id, Token, From, Counter, Result, T0 = #{writing := Writing}) ->
    reply(From, Result),
    T1 = T0#{writing := maps:remove(Id, Writing)},
    T = case Result of
            ok -> count(Counter, T1);
            _ -> T1
        end,
    case lock_token(Id, T) of
        Token -> release_lock(Id, T);
        none -> grant_next(Id, T);    % released meanwhile: the waiters' turn now
        _ -> T
    end.

%%--------------------------------------------------------------------
%% Locks and waits

lock_token(Id, #{locks := Locks}) ->
    case Locks of
        #{Id := #{token := Token}} -> Token;
        #{} -> none
    end.

lock(Id, Holder, Via, WaitMs, ExpireMs, From, T = #{locks := Locks, writing := Writing}) ->
    case Locks of
        _ when is_map_key(Id, Writing) ->
            enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, T);
        #{Id := Lock = #{holder := Holder}} ->
            %% A lock leaked by an earlier request of the same (single
            %% threaded) PHP process: grant it again, the old token dies.
            cancel_timer(Lock),
            grant(Id, Holder, Via, ExpireMs, From, T);
        #{Id := _} ->
            enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, T);
        #{} ->
            grant(Id, Holder, Via, ExpireMs, From, add_monitor(Holder, Via, T))
    end.

%% The data is read when the lock is granted, not when it was asked for:
%% a waiter must see what the previous holder wrote.
grant(Id, Holder, Via, ExpireMs, From, T = #{locks := Locks}) ->
    {Data, Vsn} = ?STORE:lookup(Id),
    Token = {?STORE:nonce(), Vsn, ?STORE:id()},
    Timer = send_after(ExpireMs, {lock_expired, Id, Token}),
    reply(From, {ok, Data, Token}),
    Lock = #{holder => Holder, token => Token, timer => Timer, via => Via},
    count(reads, T#{locks := Locks#{Id => Lock}}).

enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, T = #{waiters := Waiters}) ->
    Ref = make_ref(),
    Waiter = #{ref => Ref, from => From, holder => Holder, via => Via, expire_ms => ExpireMs,
               timer => send_after(WaitMs, {wait_timeout, Id, Ref})},
    Queue = maps:get(Id, Waiters, queue:new()),
    add_monitor(Holder, Via, T#{waiters := Waiters#{Id => queue:in(Waiter, Queue)}}).

release(Id, Token, T) ->
    case lock_token(Id, T) of
        Token -> release_lock(Id, T);
        _ -> T
    end.

%% The holder's monitor count passes to the next holder's grant.
release_lock(Id, T = #{locks := Locks}) ->
    #{Id := Lock = #{holder := Holder, via := Via}} = Locks,
    cancel_timer(Lock),
    grant_next(Id, remove_monitor(Holder, Via, T#{locks := maps:remove(Id, Locks)})).

grant_next(Id, T = #{waiters := Waiters, writing := Writing}) ->
    case Waiters of
        _ when is_map_key(Id, Writing) ->
            T;    % stored/6 grants once the write is done
        #{Id := Queue} ->
            {{value, Waiter}, Rest} = queue:out(Queue),
            #{from := From, holder := Holder, via := Via, expire_ms := ExpireMs} = Waiter,
            cancel_timer(Waiter),
            grant(Id, Holder, Via, ExpireMs, From, T#{waiters := put_queue(Id, Rest, Waiters)});
        #{} ->
            T
    end.

%% Every id in waiters has a non-empty queue.
put_queue(Id, Queue, Waiters) ->
    case queue:is_empty(Queue) of
        true -> maps:remove(Id, Waiters);
        false -> Waiters#{Id => Queue}
    end.

%% The timer may fire just after the waiter was granted: then it is gone.
wait_timeout(Id, Ref, T = #{waiters := Waiters}) ->
    Queue = maps:get(Id, Waiters, queue:new()),
    case partition(fun(#{ref := R}) -> R =:= Ref end, Queue) of
        {[], _} ->
            T;
        {[#{from := From, holder := Holder, via := Via}], Rest} ->
            reply(From, {error, lock_timeout}),
            remove_monitor(Holder, Via, T#{waiters := put_queue(Id, Rest, Waiters)})
    end.

%%--------------------------------------------------------------------
%% Holders that go

%% Holders that match Gone are forgotten: their waits dropped (nobody
%% answers them: their caller was the holder's own side) and their locks
%% released, waits first, so that a released lock is never granted to a
%% holder that is gone.
drop_holders(Gone, T = #{waiters := Waiters0, locks := Locks}) ->
    Waiters = maps:fold(
        fun(Id, Queue, Ws) ->
            {Dropped, Rest} = partition(Gone, Queue),
            lists:foreach(fun cancel_timer/1, Dropped),
            put_queue(Id, Rest, Ws)
        end, Waiters0, Waiters0),
    Held = maps:keys(maps:filter(fun(_, Lock) -> Gone(Lock) end, Locks)),
    lists:foldl(fun release_lock/2, T#{waiters := Waiters}, Held).

%% The holder died or its connection was lost. Its monitor has fired, so it
%% is forgotten first: dropping its waits and locks then leaves no count.
holder_down(Holder, T = #{monitors := Monitors}) ->
    drop_holders(fun(#{holder := H}) -> H =:= Holder end,
                 T#{monitors := maps:remove(Holder, Monitors)}).

%% A server that forwarded requests is gone, with the node its holders
%% were connected to: their locks and waits go too.
front_down(Front, T = #{fronts := Fronts}) ->
    drop_holders(fun(#{via := Via}) -> Via =:= {via, Front} end,
                 T#{fronts := maps:remove(Front, Fronts)}).

%% The waiters for which Pred holds, as a list, and the queue of the others.
partition(Pred, Queue) ->
    {Yes, No} = lists:partition(Pred, queue:to_list(Queue)),
    {Yes, queue:from_list(No)}.

%%--------------------------------------------------------------------
%% Timers, monitors, counts

%% A wait or a lock longer than a timer can run is as good as endless.
send_after(Ms, Msg) ->
    erlang:send_after(min(Ms, ?MAX_TIMER_MS), self(), Msg).

cancel_timer(#{timer := Timer}) ->
    ok = erlang:cancel_timer(Timer, [{async, true}, {info, false}]).

%% One monitor per local holder, counting its locks and waits. A holder is
%% the connection of a PHP process, which comes back request after request:
%% its monitor is kept when the count drops to 0 (a monitor of a remote pid
%% costs a message to its node each way), and goes when the holder does.
%% A holder that came through another server is watched by that one.
add_monitor(Holder, local, T = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} ->
            T#{monitors := Monitors#{Holder := {Ref, N + 1}}};
        #{} ->
            T#{monitors := Monitors#{Holder => {monitor(process, Holder), 1}}}
    end;
add_monitor(_Holder, {via, _}, T) ->
    T.

remove_monitor(Holder, local, T = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} when N > 0 ->
            T#{monitors := Monitors#{Holder := {Ref, N - 1}}};
        #{} ->
            T
    end;
remove_monitor(_Holder, {via, _}, T) ->
    T.

count(Counter, T = #{counters := Counters}) ->
    T#{counters := maps:update_with(Counter, fun(N) -> N + 1 end, 1, Counters)}.
