%% @doc A shard of the session server: the process that owns the ids of
%% shard I of N (those whose `erlang:crc32(Id) rem N' is I, see
%% session_handler:shard_of/2) and serves their requests, registered as
%% `peb_session_shard_<I>' on every node of the store, or as
%% `session_handler' when there is one shard (N = 1: it is then the one
%% server, and its own router). session_handler starts the shards (its
%% router links them to it) and passes them the requests it gets; the
%% extension sends most straight to the owner's pid. It is the only process
%% that writes its ids: one writer per id, so that a write's version check
%% and the write are one step.
%%
%% Locks (the table itself: peb_session_locks). One server grants the
%% locks of every session: the leader, which is this node's shard with the
%% ETS store, and with the Mnesia store the same shard of the first running
%% node of a majority (peb_session_cluster); the others forward lock
%% requests to it and relay its replies (peb_session_forward). The leader
%% grants each id to one holder at a time, queues the others in FIFO order,
%% and releases a lock when its holder writes, when the lock expires, or
%% when the holder (or the node it came through) goes down.
%%
%% Versions make every write safe even where a lock was lost: a grant is a
%% token `{Nonce, Vsn, Store}', Vsn being the session's version when it was
%% read, and a write is taken only while the session is still at that
%% version (and not locked by another), then gets Nonce as its version. A
%% write whose lock went with a failed node is therefore accepted when
%% nobody changed the session since, refused (lock_lost) otherwise, and a
%% write repeated after a failover is recognised as done. No update is
%% lost, even while the leader changes.
%%
%% The state is a map of plain data (no funs), so that a newer version of
%% this module, loaded under a running shard (autoload), can still read it:
%% code_change/3 has nothing to convert. A shard started by version 5 or
%% before runs with session_handler as its callback module, which hands its
%% callbacks on to this one; a state of version 4 has no role: it is the
%% one server.
-module(peb_session_shard).
-behaviour(gen_server).
-compile(warn_missing_spec).

-export([start_link/3, name/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, code_change/3]).
-export_type([state/0, role/0]).

-define(STORE, peb_session_store).
-define(LOCKS, peb_session_locks).
-define(REQUEST, peb_session_request).

-type kind() :: peb_session_request:kind().
-type request() :: peb_session_request:request().
%% A request forwarded to the leader: who asked, what, since when (ms).
-type forwarded() :: {?LOCKS:from(), peb_session_locks:request(), integer()}.
%% The owner of the ids of shard I of N (the one server is shard 0 of 1).
-type role() :: {shard, non_neg_integer(), pos_integer()}.
%% The lock table is peb_session_locks' own; leader, pending and watched
%% are peb_session_forward's; the rest is this module's.
-type state() :: #{version := pos_integer(),
                   role => role(),
                   locks := peb_session_locks:table(),
                   watched := #{pid() => reference()},
                   pending := #{reference() => forwarded()},
                   leader := {node(), reference()} | none,
                   counters := #{peb_session_request:counter() => non_neg_integer()},
                   sweep_cursor := term(),
                   sweep_timer := reference()}.

%% @doc Starts shard I of N, registered as Name (session_handler:start_link/0
%% and its router call it).
-spec start_link(atom(), non_neg_integer(), pos_integer()) -> {ok, pid()} | ignore | {error, term()}.
start_link(Name, I, N) ->
    gen_server:start_link({local, Name}, ?MODULE, {shard, I, N}, []).

-spec init(role()) -> {ok, state()}.
init({shard, _, _} = Role) ->
    Counters = maps:from_list([{K, 0} || K <- [reads, writes, touches, destroys, gcs]]),
    {ok, #{version => session_handler:version(),
           role => Role,
           locks => ?LOCKS:new(),
           watched => #{},
           pending => #{},
           leader => none,
           counters => Counters,
           sweep_cursor => undefined,
           sweep_timer => schedule_sweep()}}.

%% A state of version 4 (its code upgraded under it) is the one server.
-spec role(state()) -> role().
role(S) ->
    maps:get(role, S, {shard, 0, 1}).

%% @doc The name this shard has on every node (its peers forward to it).
-spec name(state()) -> atom().
name(S) ->
    case role(S) of
        {shard, _, 1} -> session_handler;
        {shard, I, _} -> element(I + 1, element(2, session_handler:layout()))
    end.

%% From is {Pid, Tag} with any Tag (the extension sends the atom peb), so
%% replies always go through gen_server:reply/2 or {reply, ...}.
-spec handle_call(term(), ?LOCKS:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
handle_call(stats, _From, S) ->
    {reply, stats(S), S};
handle_call(Request, From, S) ->
    ?REQUEST:checked(Request, From, S,
                     fun(Kind) -> store_safely(From, S, fun() -> serve(Kind, Request, From, S) end) end).

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info({forward, Front, Ref, Request}, S) when is_pid(Front), is_reference(Ref) ->
    {noreply, peb_session_forward:lead_forwarded(Front, Ref, Request, S)};
handle_info({{fwd, Ref}, Reply}, S) ->
    {noreply, peb_session_forward:relay(Ref, Reply, S)};
handle_info(retry_forwards, S) ->
    {noreply, peb_session_forward:retry(S)};
handle_info({'DOWN', Ref, process, Pid, _Reason}, S = #{locks := Locks}) ->
    {noreply, peb_session_forward:down(Ref, Pid, S#{locks := ?LOCKS:down(Ref, Pid, Locks)})};
handle_info(sweep, S) ->
    {noreply, sweep(S#{sweep_timer := schedule_sweep()})};
handle_info(Msg, S = #{locks := Locks}) ->
    %% The lock table's timers and writes, and fronts' reports of holders.
    case ?LOCKS:message(Msg, Locks) of
        {ok, Next} -> {noreply, S#{locks := Next}};
        ignore -> {noreply, S}
    end.

-spec terminate(term(), state()) -> ok.
terminate(_Reason, _S) ->
    ok.

-spec code_change(term(), state(), term()) -> {ok, state()}.
code_change(_OldVsn, S, _Extra) ->
    {ok, S}.

%%--------------------------------------------------------------------
%% Serving

%% The store's table can be away for a moment (Mnesia loading it, or
%% restarted after a partition): the request then fails, with a reply that
%% sends PHP to another node, and the shard (its locks) stays up. Every
%% store call comes before its request's reply, so there is no second one.
-spec store_safely(?LOCKS:from(), state(), fun(() -> Result)) -> Result | {noreply, state()}
          when Result :: {reply, term(), state()} | {noreply, state()}.
store_safely(From, S, Serve) ->
    try Serve()
    catch
        exit:{aborted, _} ->
            ?LOCKS:reply(From, {error, not_ready}),
            {noreply, S}
    end.

-spec serve(kind(), request(), ?LOCKS:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
serve(Kind, Request, From, S) ->
    case peb_session_cluster:status() of
        not_ready -> {reply, {error, not_ready}, S};
        _ when Kind =:= read -> {reply, unlocked(Request, S), ?REQUEST:count_read(Request, S)};
        ok when Kind =:= write -> {reply, unlocked(Request, S), ?REQUEST:count_write(Request, S)};
        ok -> {noreply, peb_session_forward:route(Request, From, S)};
        Unavailable -> {reply, {error, Unavailable}, S}
    end.

-spec unlocked(request(), state()) -> term().
unlocked({read, Id, nolock}, _S) ->
    {Data, _} = ?STORE:lookup(Id),
    {ok, Data, 0};
unlocked({exists, Id}, _S) ->
    ?STORE:is_live(Id);
unlocked({write, Id, 0, Data, LifetimeS}, _S) ->
    ?STORE:write(Id, Data, LifetimeS, ?STORE:nonce());
unlocked({write, Id, 0, Data, LifetimeS, Tags}, _S) ->
    ?STORE:write_tagged(Id, Data, LifetimeS, ?STORE:nonce(), Tags);
unlocked({tagged, count, Tag}, _S) ->
    length(?STORE:tagged(Tag));
unlocked({tagged, ids, Tag}, _S) ->
    ?STORE:tagged(Tag);
unlocked({tagged, destroy, Tag}, S) ->
    %% Each shard deletes the ids it owns (the router asks them all).
    case role(S) of
        {shard, _, 1} -> ?STORE:destroy_tagged(Tag);
        {shard, I, N} -> ?STORE:destroy_tagged(Tag, fun(Id) -> session_handler:shard_of(Id, N) =:= I end)
    end;
unlocked({touch, Id, 0, LifetimeS}, _S) ->
    ?STORE:touch(Id, LifetimeS);
unlocked({release, _Id, 0}, _S) ->
    ok;
unlocked({destroy, Id, 0}, _S) ->
    ?STORE:delete(Id);
unlocked({gc}, _S) ->
    {Count, _} = ?STORE:sweep(undefined),
    Count.

%%--------------------------------------------------------------------
%% Housekeeping

%% Only the leader's shard 0 sweeps; a shard that is not remembers
%% nothing, so that it starts with a whole sweep if it becomes the leader.
%% A sweep deletes only sessions whose expiry passed (ETS checks it in the
%% same step as the delete; Mnesia deletes the very record it read, so one
%% written since stays), and an expired session reads as version 0: no
%% writer's version check can tell the delete, so the sweep need not be
%% the owner's.
sweep(S = #{sweep_cursor := Cursor}) ->
    case element(2, role(S)) =:= 0 andalso peb_session_cluster:leader() =:= node() of
        true ->
            {_, Next} = ?STORE:sweep(Cursor),
            S#{sweep_cursor := Next};
        false ->
            S#{sweep_cursor := undefined}
    end.

schedule_sweep() ->
    erlang:send_after(application:get_env(peb_session, sweep_interval_ms, 60000), self(), sweep).

%% Counters of this shard since it (re)started, and its load: sessions,
%% locks, waiters, monitors (local holders with a lock or a wait), watched
%% (holders monitored, idle ones included), forwarded (requests waiting
%% for the leader) and fronts (servers that forward to this one). The lock
%% table's counts add to this shard's own (reads and writes under a lock
%% are counted there).
-spec stats(state()) -> #{atom() => non_neg_integer()}.
stats(#{locks := Locks, counters := C, watched := Watched, pending := Pending}) ->
    L = #{monitored := Monitored} = ?LOCKS:stats(Locks),
    Counters = maps:fold(fun(K, N, Acc) -> maps:update_with(K, fun(M) -> M + N end, N, Acc) end,
                         C, maps:with([reads, writes, touches, destroys], L)),
    Counters#{sessions => ?STORE:size(),
              locks => maps:get(locks, L),
              waiters => maps:get(waiters, L),
              monitors => maps:get(monitors, L),
              watched => Monitored + map_size(Watched),
              forwarded => map_size(Pending),
              fronts => maps:get(fronts, L)}.
