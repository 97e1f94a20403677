%% @doc The leader's lock table, a part of session_handler's state: who
%% holds each session's lock, who waits for it (FIFO, each with a deadline),
%% and the writes made under a lock. Functions over the server's state map,
%% called by session_handler when it is the leader; replies go straight to
%% the caller (gen_server:reply/2), as a waiter is answered later.
%%
%% A holder is a PHP connection: monitored here when it ends at this node
%% (via local), watched by the node it came through otherwise ({via,
%% Front}), which reports its death; a front that goes takes its holders'
%% locks with it. Versions (see session_handler) make every write safe.
-module(peb_session_locks).

-export([lead/4, stored/6, release/3, wait_timeout/3, holder_down/2,
         front_down/2, watch_front/2]).

-define(STORE, peb_session_store).
%% The longest timer erlang:send_after/3 accepts (about 49 days).
-define(MAX_TIMER_MS, 16#FFFFFFFF).

%% @doc Serves a lock request, or a request under a grant, for a caller
%% whose connection ends here (local) or at Front ({via, Front}).
lead({read, Id, {lock, Holder, WaitMs, ExpireMs}}, From, Via, S) ->
    lock(Id, Holder, Via, WaitMs, ExpireMs, From, S);
lead({write, Id, Token, Data, LifetimeS}, From, _Via, S) ->
    {Nonce, _, _} = Token,
    guarded(Id, Token, From, writes, fun() -> ?STORE:write(Id, Data, LifetimeS, Nonce) end, S);
lead({touch, Id, Token, LifetimeS}, From, _Via, S) ->
    guarded(Id, Token, From, touches, fun() -> ?STORE:touch(Id, LifetimeS) end, S);
lead({release, Id, Token}, From, _Via, S) ->
    gen_server:reply(From, ok),
    release(Id, Token, S);
lead({destroy, Id, Token}, From, _Via, S) ->
    ok = ?STORE:delete(Id),
    gen_server:reply(From, ok),
    release(Id, Token, session_handler:count(destroys, S)).

%% A write under a grant: taken while the session is at the version read
%% and nobody else holds its lock; already done if the session has the
%% grant's own version (a write repeated after a failover). A grant of
%% another store (an ETS node PHP used before this one failed over) is
%% taken where this store has no such session: it never knew it.
guarded(Id, Token = {Nonce, Read, Store}, From, Counter, Do, S) ->
    Vsn = ?STORE:version(Id),
    Holder = lock_token(Id, S),
    Current = Vsn =:= Read orelse (Vsn =:= 0 andalso Store =/= ?STORE:id()),
    if
        Vsn =:= Nonce ->
            gen_server:reply(From, ok),
            release(Id, Token, S);
        Current, Holder =:= none orelse Holder =:= Token ->
            store(Id, Token, From, Counter, Do, S);
        true ->
            gen_server:reply(From, {error, lock_lost}),
            release(Id, Token, S)
    end.

%% ETS writes at once. A replicated write waits for the other nodes, so it
%% runs in a process of its own while this server goes on with the other
%% sessions; the session counts as being written (no lock is granted on it,
%% not even to the same holder) until it is done, so that the next holder
%% reads what was written.
store(Id, Token, From, Counter, Do, S) ->
    case ?STORE:replicated() of
        false ->
            stored(Id, Token, From, Counter, Do(), S);
        true ->
            Server = self(),
            _ = spawn(fun() -> Server ! {stored, Id, Token, From, Counter, safely(Do)} end),
            S#{writing := maps:put(Id, Token, maps:get(writing, S))}
    end.

%% Mnesia restarting under a write (after a partition): an error, not a crash.
safely(Do) ->
    try Do()
    catch
        exit:{aborted, _} -> {error, not_ready};
        error:{aborted, _} -> {error, not_ready}
    end.

stored(Id, Token, From, Counter, Result, S0) ->
    gen_server:reply(From, Result),
    S1 = S0#{writing := maps:remove(Id, maps:get(writing, S0))},
    S = case Result of
            ok -> session_handler:count(Counter, S1);
            _ -> S1
        end,
    case lock_token(Id, S) of
        Token -> release_lock(Id, S);
        none -> grant_next(Id, S);    % released meanwhile: the waiters' turn now
        _ -> S
    end.

lock_token(Id, #{locks := Locks}) ->
    case Locks of
        #{Id := #{token := Token}} -> Token;
        #{} -> none
    end.

lock(Id, Holder, Via, WaitMs, ExpireMs, From, S = #{locks := Locks, writing := Writing}) ->
    case Locks of
        _ when is_map_key(Id, Writing) ->
            enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, S);
        #{Id := Lock = #{holder := Holder}} ->
            %% A lock leaked by an earlier request of the same (single
            %% threaded) PHP process: grant it again, the old token dies.
            cancel_timer(Lock),
            grant(Id, Holder, Via, ExpireMs, From, S);
        #{Id := _} ->
            enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, S);
        #{} ->
            grant(Id, Holder, Via, ExpireMs, From, add_monitor(Holder, Via, S))
    end.

%% The data is read when the lock is granted, not when it was asked for:
%% a waiter must see what the previous holder wrote.
grant(Id, Holder, Via, ExpireMs, From, S = #{locks := Locks}) ->
    {Data, Vsn} = ?STORE:lookup(Id),
    Token = {?STORE:nonce(), Vsn, ?STORE:id()},
    Timer = send_after(ExpireMs, {lock_expired, Id, Token}),
    gen_server:reply(From, {ok, Data, Token}),
    Lock = #{holder => Holder, token => Token, timer => Timer, via => Via},
    session_handler:count(reads, S#{locks := Locks#{Id => Lock}}).

enqueue(Id, Holder, Via, WaitMs, ExpireMs, From, S = #{waiters := Waiters}) ->
    Ref = make_ref(),
    Waiter = #{ref => Ref, from => From, holder => Holder, via => Via, expire_ms => ExpireMs,
               timer => send_after(WaitMs, {wait_timeout, Id, Ref})},
    Queue = maps:get(Id, Waiters, queue:new()),
    add_monitor(Holder, Via, S#{waiters := Waiters#{Id => queue:in(Waiter, Queue)}}).

release(Id, Token, S) ->
    case lock_token(Id, S) of
        Token -> release_lock(Id, S);
        _ -> S
    end.

%% The holder's monitor count passes to the next holder's grant.
release_lock(Id, S = #{locks := Locks}) ->
    #{Id := Lock = #{holder := Holder, via := Via}} = Locks,
    cancel_timer(Lock),
    grant_next(Id, remove_monitor(Holder, Via, S#{locks := maps:remove(Id, Locks)})).

grant_next(Id, S = #{waiters := Waiters, writing := Writing}) ->
    case Waiters of
        _ when is_map_key(Id, Writing) ->
            S;    % stored/6 grants once the write is done
        #{Id := Queue} ->
            {{value, Waiter}, Rest} = queue:out(Queue),
            #{from := From, holder := Holder, via := Via, expire_ms := ExpireMs} = Waiter,
            cancel_timer(Waiter),
            grant(Id, Holder, Via, ExpireMs, From, S#{waiters := put_queue(Id, Rest, Waiters)});
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
        {[#{from := From, holder := Holder, via := Via}], Rest} ->
            gen_server:reply(From, {error, lock_timeout}),
            remove_monitor(Holder, Via, S#{waiters := put_queue(Id, Rest, Waiters)})
    end.

%% Holders that match Gone are forgotten: their waits dropped (nobody
%% answers them: their caller was the holder's own side) and their locks
%% released, waits first, so that a released lock is never granted to a
%% holder that is gone.
drop_holders(Gone, S = #{waiters := Waiters0, locks := Locks}) ->
    Waiters = maps:fold(
        fun(Id, Queue, Ws) ->
            {Dropped, Rest} = partition(Gone, Queue),
            lists:foreach(fun cancel_timer/1, Dropped),
            put_queue(Id, Rest, Ws)
        end, Waiters0, Waiters0),
    Held = maps:keys(maps:filter(fun(_, Lock) -> Gone(Lock) end, Locks)),
    lists:foldl(fun release_lock/2, S#{waiters := Waiters}, Held).

%% The holder died or its connection was lost. Its monitor has fired, so it
%% is forgotten first: dropping its waits and locks then leaves no count.
holder_down(Holder, S = #{monitors := Monitors}) ->
    drop_holders(fun(#{holder := H}) -> H =:= Holder end,
                 S#{monitors := maps:remove(Holder, Monitors)}).

%% A server that forwarded requests is gone, with the node its holders
%% were connected to: their locks and waits go too.
front_down(Front, S = #{fronts := Fronts}) ->
    drop_holders(fun(#{via := Via}) -> Via =:= {via, Front} end,
                 S#{fronts := maps:remove(Front, Fronts)}).

%% The waiters for which Pred holds, as a list, and the queue of the others.
partition(Pred, Queue) ->
    {Yes, No} = lists:partition(Pred, queue:to_list(Queue)),
    {Yes, queue:from_list(No)}.

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
add_monitor(Holder, local, S = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} ->
            S#{monitors := Monitors#{Holder := {Ref, N + 1}}};
        #{} ->
            S#{monitors := Monitors#{Holder => {monitor(process, Holder), 1}}}
    end;
add_monitor(_Holder, {via, _}, S) ->
    S.

remove_monitor(Holder, local, S = #{monitors := Monitors}) ->
    case Monitors of
        #{Holder := {Ref, N}} when N > 0 ->
            S#{monitors := Monitors#{Holder := {Ref, N - 1}}};
        #{} ->
            S
    end;
remove_monitor(_Holder, {via, _}, S) ->
    S.

watch_front(Front, S = #{fronts := Fronts}) ->
    case Fronts of
        #{Front := _} -> S;
        #{} -> S#{fronts := Fronts#{Front => monitor(process, Front)}}
    end.

