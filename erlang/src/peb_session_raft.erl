%% @doc The Raft store's state machine, run by Ra (RabbitMQ's Raft library)
%% on every member of the cluster: it owns the sessions AND their locks, so
%% that one log orders every grant and every write, and no node decides
%% alone who leads or who holds a lock.
%%
%% It implements Ra's `ra_machine' behaviour (init/1, apply/3,
%% state_enter/2, tick/2, overview/1) without declaring it: the attribute
%% would fail the build (+warnings_as_errors) where Ra's beams are not on
%% erlc's path, and this module needs nothing of Ra's to compile.
%%
%% Sessions: id => {Data, ExpiresAt, TouchedAt, Vsn}; Vsn is the Raft index
%% of the grant it was written under (of the write itself without a lock).
%% Locks: id => one holder, whose grant (the fencing token) is
%% {Index, Vsn read, {raft, StoreId}}, Index being the Raft index of the
%% command that granted it; the others wait in FIFO order. A write, touch,
%% release or destroy under a grant applies only while that grant is the
%% lock's current one: a holder whose lock was given away can never write.
%% A write repeated after a failover (the session has the grant's index as
%% its version) is recognised as done.
%%
%% Holders are PHP connections, which reach the cluster through the front
%% of one node (peb_session_raft_front): the front watches them and reports
%% their death ({holder_down, Holder}); the machine monitors the fronts
%% through Ra's effects (the leader's monitor; every new leader monitors
%% them again), so that a front that dies or is cut off from the leader
%% takes its holders' locks and waits with it.
%%
%% Tags (peb_session_tags): kept in two fields of their own, tag_index
%% (Tag => #{Id => true}) and session_tags (Id => [Tag]), absent until the
%% first tag (a state of a version without tags reads as none). A write may
%% carry tags as a sixth element; {tagged, count | ids | destroy, Tag}
%% serve a tag's sessions; a destroyed, expired or collected session's
%% tags go with it (peb_session_raft_tags, which keeps the two fields). Destroying a tag's sessions releases
%% their locks too: a holder's later write is refused (lock_lost), never
%% brings the session back.
%%
%% Subscribers (peb_session_subs, one per node) hear of the sessions that a
%% command wrote, destroyed or removed expired: every member sends the news
%% to its own node's peb_session_subs (a `local' send_msg effect: Ra runs it
%% on the member of the target's node), which tells that node's
%% subscribers, so each change is told once on every node of the cluster.
%%
%% Deterministic: time is the command's (Ra's meta system_time, set by the
%% leader when it appended the command, never read inside apply), kept
%% monotonic. The state is plain data (maps, lists, tuples, binaries, pids).
-module(peb_session_raft).
-compile(warn_missing_spec).

-export([init/1, apply/3, state_enter/2, tick/2, overview/1]).
-export([lookup/3, is_live/3, size/1, store_id/1]).
-export([tagged/3]).
-export_type([state/0, command/0, token/0]).

%% Every so many commands (at least; twice the sessions held, so that the
%% cost of writing a snapshot stays a constant share of each command's)
%% Ra may snapshot the state and truncate its log.
-define(SNAPSHOT_EVERY, 4096).
%% How often expired sessions are removed (ms).
-define(SWEEP_MS, 60000).
-define(IS_NAT(T), (is_integer(T) andalso T >= 0)).
-define(TAGS, peb_session_raft_tags).

-type id() :: binary().
-type ms() :: integer().
-type token() :: {pos_integer(), non_neg_integer(), {raft, term()}}.
-type session() :: {Data :: binary(), ExpiresAt :: ms(), TouchedAt :: ms(), Vsn :: non_neg_integer()}.
-type lock() :: #{token := token(), holder := pid(), front := pid(), ref := reference(),
                  expires_at := ms()}.
-type waiter() :: #{holder := pid(), front := pid(), ref := reference(), deadline := ms(),
                    expire_ms := non_neg_integer()}.
-type state() :: #{id := term(),
                   sessions := #{id() => session()},
                   locks := #{id() => lock()},
                   waiters := #{id() => [waiter(), ...]},
                   fronts := #{pid() => true},
                   now := ms(),
                   swept_at := ms(),
                   applied := non_neg_integer(),
                   tag_index => #{binary() => #{id() => true}},
                   session_tags => #{id() => [binary()]}}.
-type command() :: {create, term()}
                 | {lock, id(), Holder :: pid(), Front :: pid(), reference(),
                    WaitMs :: non_neg_integer(), ExpireMs :: non_neg_integer()}
                 | {read, id()}
                 | {write, id(), 0 | token(), binary(), LifetimeS :: non_neg_integer()}
                 | {write, id(), 0 | token(), binary(), LifetimeS :: non_neg_integer(), [binary()]}
                 | {tag, id(), [binary()]}
                 | {tagged, count | ids | destroy, binary()}
                 | {touch, id(), 0 | token(), LifetimeS :: non_neg_integer()}
                 | {destroy, id(), 0 | token()}
                 | {release, id(), 0 | token()}
                 | {cancel, id(), reference()}
                 | {holder_down, pid()}
                 | {gc, undefined | non_neg_integer()}
                 | {tick, ms()}
                 | {down, pid(), term()}
                 | {nodeup | nodedown, node()}.
-type effect() :: {send_msg, pid(), term()} | {monitor, process, pid()}
                | {send_msg, {peb_session_subs, node()}, news(), [local]}
                | {release_cursor, non_neg_integer(), state()}
                | {append, command()}.
%% What a command did to a session, for this node's subscribers.
-type news() :: {peb_session_raft, written | destroyed | expired, id(), [binary()]}.
-type meta() :: #{index := pos_integer(), system_time => ms(), term => term(), atom() => term()}.

%%--------------------------------------------------------------------
%% ra_machine

-spec init(map()) -> state().
init(_Config) ->
    #{id => undefined, sessions => #{}, locks => #{}, waiters => #{}, fronts => #{},
      now => 0, swept_at => 0, applied => 0}.

-spec apply(meta(), command(), state()) -> {state(), term(), [effect()]}.
apply(Meta = #{index := Index}, Command, S0 = #{now := Last, applied := Applied}) ->
    Now = max(Last, maps:get(system_time, Meta, Last)),
    {S1, Reply, Effects0} = ?TAGS:untag_removed(Command, command(Command, Index, S0#{now := Now})),
    Effects = Effects0 ++ events(Command, S0, S1),
    case Applied + 1 >= max(?SNAPSHOT_EVERY, 2 * map_size(maps:get(sessions, S1))) of
        true ->
            S = S1#{applied := 0},
            {S, Reply, Effects ++ [{release_cursor, Index, S}]};
        false ->
            {S1#{applied := Applied + 1}, Reply, Effects}
    end.

%% A new leader monitors the fronts again: monitors are the leader's own.
-spec state_enter(atom(), state()) -> [effect()].
state_enter(leader, #{fronts := Fronts}) ->
    [{monitor, process, F} || F <- maps:keys(Fronts)];
state_enter(_RaftState, _S) ->
    [].

%% The leader, once a second: a command that expires locks and waits and
%% sweeps sessions, when there is any to do (the time goes in the log).
-spec tick(ms(), state()) -> [effect()].
tick(TimeMs, S) ->
    case due(TimeMs, S) of
        true -> [{append, {tick, TimeMs}}];
        false -> []
    end.

-spec overview(state()) -> map().
overview(#{sessions := Sessions, locks := Locks, waiters := Waiters, fronts := Fronts, id := Id}) ->
    #{store_id => Id, sessions => map_size(Sessions), locks => map_size(Locks),
      waiters => lists:sum([length(Q) || Q <- maps:values(Waiters)]), fronts => map_size(Fronts)}.

%%--------------------------------------------------------------------
%% Queries (ra:local_query/2 and friends), at the caller's time

%% @doc The data and version of a live session; {<<>>, 0} for none.
-spec lookup(id(), ms(), state()) -> {binary(), non_neg_integer()}.
lookup(Id, Now, #{sessions := Sessions}) ->
    case Sessions of
        #{Id := {Data, ExpiresAt, _, Vsn}} when ExpiresAt > Now -> {Data, Vsn};
        #{} -> {<<>>, 0}
    end.

-spec is_live(id(), ms(), state()) -> boolean().
is_live(Id, Now, #{sessions := Sessions}) ->
    case Sessions of
        #{Id := {_, ExpiresAt, _, _}} -> ExpiresAt > Now;
        #{} -> false
    end.

-spec size(state()) -> non_neg_integer().
size(#{sessions := Sessions}) ->
    map_size(Sessions).

-spec store_id(state()) -> term().
store_id(#{id := Id}) ->
    Id.

%%--------------------------------------------------------------------
%% Commands

-spec command(command(), pos_integer(), state()) -> {state(), term(), [effect()]}.
command({create, Id}, _Index, S = #{id := undefined}) ->
    {S#{id := Id}, Id, []};
command({create, _}, _Index, S = #{id := Id}) ->
    {S, Id, []};
command({lock, Id, Holder, Front, Ref, WaitMs, ExpireMs}, Index, S0)
  when is_binary(Id), is_pid(Holder), is_pid(Front), ?IS_NAT(WaitMs), ?IS_NAT(ExpireMs) ->
    {S1, Effects0} = watch_front(Front, S0),
    {S, Reply, Effects} = lock(Id, #{holder => Holder, front => Front, ref => Ref,
                                     deadline => maps:get(now, S1) + WaitMs,
                                     expire_ms => ExpireMs}, Index, S1),
    {S, Reply, Effects0 ++ Effects};
command({read, Id}, _Index, S = #{now := Now}) ->
    {Data, _} = lookup(Id, Now, S),
    {S, {ok, Data, 0}, []};
command({write, Id, 0, Data, LifetimeS}, Index, S) ->
    {put_session(Id, Data, LifetimeS, Index, S), ok, []};
command({write, Id, Token, Data, LifetimeS}, Index, S) ->
    under_grant(Id, Token, {data, Data}, Index, S,
                fun(S1) -> put_session(Id, Data, LifetimeS, grant_index(Token), S1) end);
command({touch, Id, 0, LifetimeS}, _Index, S) ->
    {touch_session(Id, LifetimeS, none, S), ok, []};
command({touch, Id, Token, LifetimeS}, Index, S) ->
    under_grant(Id, Token, touch, Index, S, fun(S1) -> touch_session(Id, LifetimeS, grant_index(Token), S1) end);
command({destroy, Id, 0}, _Index, S = #{sessions := Sessions}) ->
    {S#{sessions := maps:remove(Id, Sessions)}, ok, []};
command({destroy, Id, Token}, Index, S = #{sessions := Sessions}) ->
    case is_map_key(Id, Sessions) of
        true -> under_grant(Id, Token, never, Index, S, fun(S1) -> S1#{sessions := maps:remove(Id, Sessions)} end);
        false -> release(Id, Token, Index, S)    % destroyed already (a repeat) or never there
    end;
command({release, _Id, 0}, _Index, S) ->
    {S, ok, []};
command({release, Id, Token}, Index, S) ->
    release(Id, Token, Index, S);
command({cancel, Id, Ref}, Index, S0) ->
    S = drop_waiters(fun(#{ref := R}) -> R =:= Ref end, S0),
    case S of
        #{locks := #{Id := #{ref := Ref}}} ->
            {S1, Effects} = release_lock(Id, Index, S),
            {S1, ok, Effects};
        _ ->
            {S, ok, []}
    end;
command({holder_down, Holder}, Index, S) ->
    {S1, Effects} = drop_holders(fun(#{holder := H}) -> H =:= Holder end, Index, S),
    {S1, ok, Effects};
command({down, Front, _Info}, Index, S0 = #{fronts := Fronts}) ->
    S = S0#{fronts := maps:remove(Front, Fronts)},
    {S1, Effects} = drop_holders(fun(#{front := F}) -> F =:= Front end, Index, S),
    {S1, ok, Effects};
command({gc, MaxLifetimeS}, _Index, S) ->
    {S1, Count} = sweep(MaxLifetimeS, S),
    {S1, Count, []};
command({tick, _TimeMs}, Index, S0 = #{now := Now, swept_at := SweptAt}) ->
    {S1, Effects} = expire(Index, S0),
    S = case Now >= SweptAt + ?SWEEP_MS of
            true -> element(1, sweep(undefined, S1#{swept_at := Now}));
            false -> S1
        end,
    {S, ok, Effects};
command({write, Id, Token, Data, LifetimeS, Tags}, Index, S) ->
    write_tagged(Id, Token, Data, LifetimeS, Tags, Index, S);
command({tag, Id, Tags}, _Index, S) when is_binary(Id), is_list(Tags) ->
    {?TAGS:add(Id, Tags, S), ok, []};
command({tagged, destroy, Tag}, Index, S) ->
    destroy_tagged(Tag, Index, S);
command({tagged, count, Tag}, _Index, S = #{now := Now}) ->
    {S, length(tagged(Tag, Now, S)), []};
command({tagged, ids, Tag}, _Index, S = #{now := Now}) ->
    {S, tagged(Tag, Now, S), []};
command(_Other, _Index, S) ->
    %% nodeup, nodedown, a timer: nothing to do; anything else is refused.
    {S, {error, badarg}, []}.

%%--------------------------------------------------------------------
%% Sessions

put_session(Id, Data, LifetimeS, Vsn, S = #{sessions := Sessions, now := Now}) ->
    S#{sessions := Sessions#{Id => {Data, Now + LifetimeS * 1000, Now, Vsn}}}.

%% A live session gets a new expiry (and, under a grant, the grant as its
%% version, so that a touch repeated after a failover is recognised); an
%% expired one stays expired.
touch_session(Id, LifetimeS, Vsn, S = #{sessions := Sessions, now := Now}) ->
    case Sessions of
        #{Id := {Data, ExpiresAt, _, Old}} when ExpiresAt > Now ->
            New = case Vsn of none -> Old; _ -> Vsn end,
            S#{sessions := Sessions#{Id := {Data, Now + LifetimeS * 1000, Now, New}}};
        #{} ->
            S
    end.

%% Removes the expired sessions (and, with MaxLifetimeS, those not written
%% or touched in that long); how many.
sweep(MaxLifetimeS, S = #{sessions := Sessions, now := Now}) ->
    Oldest = case MaxLifetimeS of
                 undefined -> undefined;
                 _ -> Now - MaxLifetimeS * 1000
             end,
    Keep = maps:filter(fun(_, {_, ExpiresAt, TouchedAt, _}) ->
                               ExpiresAt > Now andalso (Oldest =:= undefined orelse TouchedAt >= Oldest)
                       end, Sessions),
    {S#{sessions := Keep}, map_size(Sessions) - map_size(Keep)}.

%%--------------------------------------------------------------------
%% Writes under a grant

grant_index({Index, _, _}) ->
    Index.

%% Do runs only while Token is the lock's current grant; the lock is then
%% released (the next waiter gets it). A grant already used (the session
%% carries its index: nothing changed it since) is answered ok again, as a
%% repeat after a failover: a write's when the session holds the same data,
%% a touch's always. Any other is refused: lock_lost.
under_grant(Id, Token, Repeat, Index, S = #{locks := Locks, sessions := Sessions}, Do) ->
    case Locks of
        #{Id := #{token := Token}} ->
            {S1, Effects} = release_lock(Id, Index, Do(S)),
            {S1, ok, Effects};
        _ ->
            case Sessions of
                #{Id := {Stored, _, _, Vsn}} when is_tuple(Token), Vsn =:= element(1, Token),
                                                  Repeat =:= touch orelse Repeat =:= {data, Stored} ->
                    {S, ok, []};
                _ ->
                    {S, {error, lock_lost}, []}
            end
    end.

release(Id, Token, Index, S = #{locks := Locks}) ->
    case Locks of
        #{Id := #{token := Token}} ->
            {S1, Effects} = release_lock(Id, Index, S),
            {S1, ok, Effects};
        _ ->
            {S, ok, []}
    end.

%%--------------------------------------------------------------------
%% Locks

%% A lock expired past its time is given away only when someone else asks
%% for it: until then its holder may still write (nobody took it).
lock(Id, Waiter = #{holder := Holder, ref := Ref}, Index, S0 = #{locks := Locks, now := Now}) ->
    case Locks of
        #{Id := #{ref := Ref, token := Token}} ->
            %% The same request again (a resend after a lost reply).
            {S0, {ok, data(Id, S0), Token}, []};
        #{Id := #{holder := Holder}} ->
            %% A lock leaked by an earlier request of the same (single
            %% threaded) PHP process: granted again, the old grant dies.
            {S, Reply} = grant(Id, Waiter, Index, S0),
            {S, Reply, []};
        #{Id := #{expires_at := ExpiresAt}} when ExpiresAt =< Now ->
            %% Given away, to the first waiter: this request, if none other
            %% waits, which then gets its grant as the reply alone.
            {S1, Effects} = release_lock(Id, Index, enqueue(Id, Waiter, S0)),
            Mine = fun({send_msg, _, {peb_raft_grant, R, _}}) -> R =:= Ref; (_) -> false end,
            {S1, lock_reply(Id, Ref, S1), [E || E <- Effects, not Mine(E)]};
        #{Id := _} ->
            S = enqueue(Id, Waiter, S0),
            {S, lock_reply(Id, Ref, S), []};
        #{} ->
            {S, Reply} = grant(Id, Waiter, Index, S0),
            {S, Reply, []}
    end.

%% What a lock request is answered once queued: its grant if it got the
%% lock at once, else queued (its grant comes later, as a message).
lock_reply(Id, Ref, S = #{locks := Locks}) ->
    case Locks of
        #{Id := #{ref := Ref, token := Token}} -> {ok, data(Id, S), Token};
        #{} -> queued
    end.

data(Id, S = #{now := Now}) ->
    element(1, lookup(Id, Now, S)).

%% The data is read when the lock is granted: a waiter sees what the
%% previous holder wrote.
grant(Id, #{holder := Holder, front := Front, ref := Ref, expire_ms := ExpireMs}, Index,
      S = #{locks := Locks, now := Now, id := StoreId}) ->
    {Data, Vsn} = lookup(Id, Now, S),
    Token = {Index, Vsn, {raft, StoreId}},
    Lock = #{token => Token, holder => Holder, front => Front, ref => Ref,
             expires_at => Now + ExpireMs},
    {S#{locks := Locks#{Id => Lock}}, {ok, Data, Token}}.

%% One waiter per request: a resent request is not queued twice.
enqueue(Id, Waiter = #{ref := Ref}, S = #{waiters := Waiters}) ->
    Queue = maps:get(Id, Waiters, []),
    case lists:any(fun(#{ref := R}) -> R =:= Ref end, Queue) of
        true -> S;
        false -> S#{waiters := Waiters#{Id => Queue ++ [Waiter]}}
    end.

release_lock(Id, Index, S = #{locks := Locks}) ->
    grant_next(Id, Index, S#{locks := maps:remove(Id, Locks)}).

%% The first waiter gets the lock; its front is told, and relays the grant.
grant_next(Id, Index, S = #{waiters := Waiters}) ->
    case Waiters of
        #{Id := [Next = #{front := Front, ref := Ref} | Rest]} ->
            S1 = S#{waiters := put_queue(Id, Rest, Waiters)},
            {S2, Reply} = grant(Id, Next, Index, S1),
            {S2, [{send_msg, Front, {peb_raft_grant, Ref, Reply}}]};
        #{} ->
            {S, []}
    end.

put_queue(Id, [], Waiters) -> maps:remove(Id, Waiters);
put_queue(Id, Queue, Waiters) -> Waiters#{Id => Queue}.

%% Waits first, so that a lock released here never goes to a holder that
%% is gone.
drop_holders(Gone, Index, S0 = #{locks := Locks}) ->
    S = drop_waiters(Gone, S0),
    Held = lists:sort(maps:keys(maps:filter(fun(_, Lock) -> Gone(Lock) end, Locks))),
    lists:foldl(fun(Id, {Acc, Effects}) ->
                        {Acc1, More} = release_lock(Id, Index, Acc),
                        {Acc1, Effects ++ More}
                end, {S, []}, Held).

drop_waiters(Gone, S = #{waiters := Waiters}) ->
    S#{waiters := maps:fold(fun(Id, Queue, Acc) ->
                                    put_queue(Id, [W || W <- Queue, not Gone(W)], Acc)
                            end, Waiters, Waiters)}.

%% Waits past their deadline are answered lock_timeout (their front has
%% most likely answered already); locks past their time are given to the
%% next waiter.
expire(Index, S0 = #{now := Now, waiters := Waiters0}) ->
    Late = [W || Q <- maps:values(Waiters0), W = #{deadline := D} <- Q, D =< Now],
    S = drop_waiters(fun(#{deadline := D}) -> D =< Now end, S0),
    Timeouts = [{send_msg, F, {peb_raft_grant, R, {error, lock_timeout}}} || #{front := F, ref := R} <- Late],
    #{locks := Locks, waiters := Waiters} = S,
    Expired = lists:sort([Id || {Id, #{expires_at := E}} <- maps:to_list(Locks), E =< Now,
                                is_map_key(Id, Waiters)]),
    lists:foldl(fun(Id, {Acc, Effects}) ->
                        {Acc1, More} = release_lock(Id, Index, Acc),
                        {Acc1, Effects ++ More}
                end, {S, Timeouts}, Expired).

watch_front(Front, S = #{fronts := Fronts}) ->
    case Fronts of
        #{Front := _} -> {S, []};
        #{} -> {S#{fronts := Fronts#{Front => true}}, [{monitor, process, Front}]}
    end.

%% Whether a tick command has anything to do at TimeMs.
due(TimeMs, #{locks := Locks, waiters := Waiters, sessions := Sessions, swept_at := SweptAt}) ->
    (map_size(Sessions) > 0 andalso TimeMs >= SweptAt + ?SWEEP_MS)
        orelse lists:any(fun(#{deadline := D}) -> D =< TimeMs end, lists:append(maps:values(Waiters)))
        orelse maps:fold(fun(Id, #{expires_at := E}, Acc) -> Acc orelse (E =< TimeMs andalso is_map_key(Id, Waiters)) end,
                         false, Locks).

%%--------------------------------------------------------------------
%% Tags: the commands (the two fields are peb_session_raft_tags')

%% @doc The ids of the live sessions that carry Tag.
-spec tagged(binary(), ms(), state()) -> [id()].
tagged(Tag, Now, S) ->
    [Id || Id <- ?TAGS:ids(Tag, S), is_live(Id, Now, S)].

%% A write as the five-element one, its tags added when it is taken.
write_tagged(Id, Token, Data, LifetimeS, Tags, Index, S0) ->
    case command({write, Id, Token, Data, LifetimeS}, Index, S0) of
        {S, ok, Effects} when is_list(Tags) -> {?TAGS:add(Id, Tags, S), ok, Effects};
        Refused -> Refused
    end.

%% Every session of Tag goes, and the lock on it: its holder's write is
%% then refused (lock_lost), and the next waiter reads no session.
destroy_tagged(Tag, Index, S0 = #{now := Now}) ->
    Ids = ?TAGS:ids(Tag, S0),
    Live = length([Id || Id <- Ids, is_live(Id, Now, S0)]),
    S1 = lists:foldl(fun(Id, Acc = #{sessions := Sessions}) ->
                             ?TAGS:drop(Id, Acc#{sessions := maps:remove(Id, Sessions)})
                     end, S0, Ids),
    {S, Effects} = lists:foldl(fun(Id, {Acc, Effs}) ->
                                       case Acc of
                                           #{locks := #{Id := _}} ->
                                               {Acc1, More} = release_lock(Id, Index, Acc),
                                               {Acc1, Effs ++ More};
                                           #{} ->
                                               {Acc, Effs}
                                       end
                               end, {S1, []}, Ids),
    {S, Live, Effects}.

%%--------------------------------------------------------------------
%% Subscribers

%% What a command did to sessions, as news for peb_session_subs: a write
%% that changed its session (not a repeat), the sessions a destroy, a
%% destroy by tag, a sweep or a gc removed (with the tags they had).
events(Command, #{sessions := Before} = S0, #{sessions := After} = S1) ->
    Changes = case Command of
                  {write, Id, _, _, _} -> written(Id, Before, After, S1);
                  {write, Id, _, _, _, _} -> written(Id, Before, After, S1);
                  {destroy, _, _} -> removed(destroyed, Before, After, S0);
                  {tagged, destroy, _} -> removed(destroyed, Before, After, S0);
                  {tick, _} -> removed(expired, Before, After, S0);
                  {gc, _} -> removed(expired, Before, After, S0);
                  _ -> []
              end,
    [{send_msg, {peb_session_subs, node()}, {peb_session_raft, Event, Id, Tags}, [local]}
     || {Event, Id, Tags} <- Changes].

written(Id, Before, After, S) ->
    case {maps:find(Id, Before), maps:find(Id, After)} of
        {Same, Same} -> [];
        {_, {ok, _}} -> [{written, Id, ?TAGS:tags_of(Id, S)}];
        {_, error} -> []
    end.

removed(_Event, Before, After, _S) when map_size(Before) =:= map_size(After) ->
    [];
removed(Event, Before, After, S) ->
    [{Event, Id, ?TAGS:tags_of(Id, S)} || Id <- lists:sort(maps:keys(Before)), not is_map_key(Id, After)].
