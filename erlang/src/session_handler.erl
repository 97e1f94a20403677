%% @doc The session server that PHP's peb extension talks to, registered as
%% `session_handler' on every node of the store, and the 2009 article's
%% classic API (read/1, write/2, destroy/1, gc/1, used by the userland PHP
%% handler through rpc), kept working on top of it.
%%
%% The extension sends raw gen_server calls, `{'$gen_call', {Pid, peb},
%% Request}', and waits for `{peb, Reply}'; see handle_call/3.
%%
%% Locks (the table itself: peb_session_locks). One server grants the
%% locks of every session: the leader, which is this node's server with
%% the ETS store, and with the Mnesia store the server of the first running
%% node of a majority (peb_session_cluster).
%% The others forward lock requests to it and relay its replies, as the
%% PHP side is connected to them, not to the leader. The leader grants each
%% id to one holder at a time, queues the others in FIFO order, and releases
%% a lock when its holder writes, when the lock expires, or when the holder
%% (or the node it came through) goes down.
%%
%% Versions make every write safe even where a lock was lost: a grant is a
%% token `{Nonce, Vsn, Store}', Vsn being the session's version when it was read,
%% and a write is taken only while the session is still at that version
%% (and not locked by another), then gets Nonce as its version. A write
%% whose lock went with a failed node is therefore accepted when nobody
%% changed the session since, refused (lock_lost) otherwise, and a write
%% repeated after a failover is recognised as done. No update is lost, even
%% while the leader changes.
%%
%% Shards: the locks of a node are spread over N processes (the
%% application's `shards', 16 by default, equal on every node of a
%% cluster), each started from this module with its index and registered
%% as `peb_session_shard_<I>'; shard I owns the ids whose
%% `erlang:crc32(Id) rem N' is I, and is the only process that writes them
%% (one writer per id: its version check and its write are one step, as
%% they were in the one server). `session_handler' is then a router: a
%% request that names an id goes to its shard with the caller's From, so
%% the shard answers the caller itself; the store-wide ones are its own
%% (stats/0 adds the shards' up, {tagged, destroy, Tag} goes to every
%% shard, each deleting the ids it owns; {gc} and the tag queries, which
%% change no version a writer could have read, to shard 0). The extension
%% learns the shards' pids once per link (shards/0) and sends each request
%% straight to its shard. The router starts its shards linked to it: one
%% of them crashing restarts them all, and the router, as the one server
%% did. With N = 1 `session_handler' is the one shard, as before.
%% In a Mnesia cluster the leader's shard I leads the ids of shard I, and
%% the other nodes' shard I forward to it.
%%
%% The Raft store (peb_session_store:raft/0) has neither this lock table
%% nor a leader of ours: every request goes, with its caller, to
%% peb_session_raft_front, which answers it through Ra's log, where the
%% machine (peb_session_raft) holds the sessions and the locks.
%%
%% Tags (peb_session_tags, docs/tags.md): a write may carry a sixth
%% element, the tags PHP gave the session, stored with the write (so a
%% tagged cycle is no extra round trip); {tagged, count | ids | destroy,
%% Tag} serve the sessions of a tag. The five-element write is taken as
%% before.
%%
%% This file alone (the article's `c(session_handler).' in a node's shell,
%% without the application's other modules) runs the classic store: one
%% process registered as `session_handler' owning the ETS table of that name,
%% records `{Id, Data, WrittenS}', serving read/1, write/2, destroy/1 and
%% gc/1. The extension's save handler finds it older than the protocol it
%% speaks (ensure/0 says version 0), installs the application it carries,
%% and the application takes the classic table's sessions over
%% (peb_session_ets:take_over/0): both handlers then share one store.
-module(session_handler).
-behaviour(gen_server).
-compile(warn_missing_spec).

-export([version/0, start/0, ensure/0, stop/0, stats/0, shards/0, shard_of/2]).
-export([read/1, write/2, destroy/1, gc/1]).
-export([start_link/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2,
         code_change/3]).

-define(STORE, peb_session_store).
-define(LOCKS, peb_session_locks).
%% Bump when the protocol or the state changes: the extension installs its
%% own beams into a node whose version/0 is older than the one it speaks.
-define(VERSION, 5).
%% What ensure/0 says of the classic store: older than any protocol.
-define(CLASSIC_VERSION, 0).
%% PHP's default session.gc_maxlifetime, for the classic write/2.
-define(CLASSIC_LIFETIME_S, 1440).
-define(IS_NAT(T), (is_integer(T) andalso T >= 0)).
-define(IS_GRANT(T), (tuple_size(T) =:= 3 andalso ?IS_NAT(element(1, T))
                      andalso ?IS_NAT(element(2, T)))).
-define(IS_TOKEN(T), (T =:= 0 orelse (is_tuple(T) andalso ?IS_GRANT(T)))).
%% How long a forwarded request is retried while the cluster elects a leader.
-define(FORWARD_PATIENCE_MS, 30000).
%% The shards' number and names, set when the server starts; absent, the
%% one server of version 4 and before (its code upgraded under it).
-define(LAYOUT, {?MODULE, shards}).
-define(DEFAULT_SHARDS, 16).
-define(GATHER_MS, 15000).

-type id() :: peb_session_store:id().
-type token() :: 0 | peb_session_locks:token().
-type request() :: {read, id(), nolock | {lock, pid(), non_neg_integer(), non_neg_integer()}}
                 | {write, id(), token(), binary(), non_neg_integer()}
                 | {write, id(), token(), binary(), non_neg_integer(), [peb_session_tags:tag()]}
                 | {tagged, count | ids | destroy, peb_session_tags:tag()}
                 | {touch, id(), token(), non_neg_integer()}
                 | {release, id(), token()}
                 | {destroy, id(), token()}
                 | {gc}
                 | {exists, id()}.
-type kind() :: read | write | lock.
%% A request forwarded to the leader: who asked, what, since when (ms).
-type forwarded() :: {?LOCKS:from(), peb_session_locks:request(), integer()}.
-type counter() :: reads | writes | touches | destroys | gcs.
%% router: session_handler in front of its shards; {shard, I, N}: the
%% owner of the ids of shard I of N (the one server is shard 0 of 1).
-type role() :: router | {shard, non_neg_integer(), pos_integer()}.
%% A map of plain data (no funs), so that a newer version of this module,
%% loaded under a running server, can still read it. The lock table is
%% peb_session_locks' own; the rest is this server's.
-type state() :: #{version := pos_integer(),
                   role => role(),
                   locks := peb_session_locks:table(),
                   watched := #{pid() => reference()},
                   pending := #{reference() => forwarded()},
                   leader := {node(), reference()} | none,
                   counters := #{counter() => non_neg_integer()},
                   sweep_cursor := term(),
                   sweep_timer := reference()}.

%%--------------------------------------------------------------------
%% Starting and stopping

-spec version() -> pos_integer().
version() ->
    ?VERSION.

%% @doc Starts the store unless it runs: the application (ETS store unless
%% configured otherwise) where peb_session.app is on the code path or was
%% loaded by the extension (peb_session_app:load/1); where neither the .app
%% nor its modules are there (this file compiled alone), the classic store.
-spec start() -> ok.
start() ->
    case application:ensure_all_started(peb_session) of
        {ok, _} -> ok;
        {error, _} = Error ->
            case code:which(peb_session_app) of
                non_existing -> classic_start();
                _ -> error({badmatch, Error})
            end
    end.

%% @doc What the extension calls once per connection: starts the store if
%% needed and says which protocol version runs (0: the classic store, which
%% the extension replaces by the application it carries).
-spec ensure() -> {ok, non_neg_integer()}.
ensure() ->
    ok = start(),
    case classic() of
        true -> {ok, ?CLASSIC_VERSION};
        false -> {ok, version()}
    end.

%% @doc Stops the store: the application, or the classic server.
-spec stop() -> ok.
stop() ->
    case classic() of
        true -> classic_stop();
        false ->
            case application:stop(peb_session) of
                ok -> ok;
                {error, {not_started, _}} -> ok
            end
    end.

%% @doc The server: with one shard, the one server; with more, the router,
%% whose init starts the shards (linked to it) before it serves.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    N = case application:get_env(peb_session, shards, ?DEFAULT_SHARDS) of
            Count when is_integer(Count), Count >= 1, Count =< 1024 -> Count;
            Other -> error({bad_shards, Other})
        end,
    Names = case N of
                1 -> {?MODULE};
                _ -> list_to_tuple([list_to_atom("peb_session_shard_" ++ integer_to_list(I))
                                    || I <- lists:seq(0, N - 1)])
            end,
    _ = persistent_term:get(?LAYOUT, undefined) =:= {N, Names} orelse persistent_term:put(?LAYOUT, {N, Names}),
    Init = case N of
               1 -> {shard, 0, 1};
               _ -> router
           end,
    gen_server:start_link({local, ?MODULE}, ?MODULE, Init, []).

%% @doc The shards, for the extension to send each request straight to its
%% owner: their number and pids (undefined for one restarting), and the
%% router's pid, which the extension monitors: the shards exit with it,
%% so once it is down their pids are dead. The one server (N = 1) is the
%% one shard and its own router.
-spec shards() -> {pos_integer(), tuple(), pid() | undefined}.
shards() ->
    {N, Names} = layout(),
    {N, list_to_tuple([whereis(Name) || Name <- tuple_to_list(Names)]), whereis(?MODULE)}.

%% @doc The shard that owns Id, of N: crc32 (IEEE), as the extension computes it.
-spec shard_of(binary(), pos_integer()) -> non_neg_integer().
shard_of(Id, N) ->
    erlang:crc32(Id) rem N.

-spec layout() -> {pos_integer(), tuple()}.
layout() ->
    persistent_term:get(?LAYOUT, {1, {?MODULE}}).

%% @doc Counters of this server since it (re)started (the shards' added
%% up), and its load:
%% sessions, locks, waiters, monitors (local holders with a lock or a wait),
%% watched (holders monitored, idle ones included), forwarded (requests
%% waiting for the leader) and fronts (servers that forward to this one).
-spec stats() -> #{atom() => non_neg_integer()}.
stats() ->
    gen_server:call(?MODULE, stats).

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
gc(MaxLifetime) when ?IS_NAT(MaxLifetime) ->
    case classic() of
        true -> gen_server:call(?MODULE, {classic_gc, MaxLifetime});
        false -> ?STORE:gc(MaxLifetime)
    end.

%%--------------------------------------------------------------------
%% The classic store: this file alone

%% Whether the server registered is the classic one: a process of no
%% application (the application's server belongs to peb_session).
-spec classic() -> boolean().
classic() ->
    case whereis(?MODULE) of
        undefined -> false;
        Pid -> application:get_application(Pid) =:= undefined
    end.

%% Starts the classic server unless one runs; a concurrent start that lost
%% the name finds the winner's.
-spec classic_start() -> ok.
classic_start() ->
    Starter = self(),
    {Pid, Ref} = spawn_monitor(fun() -> classic_init(Starter) end),
    receive
        {Pid, started} -> demonitor(Ref, [flush]), ok;
        {'DOWN', Ref, process, Pid, taken} -> ok
    after 5000 ->
        exit(Pid, kill),
        error(classic_start_timeout)
    end.

%% Belongs to the node, not to the caller: unlinked, with the node's group
%% leader (the caller may be an rpc worker of a PHP link, or a shell).
-spec classic_init(pid()) -> no_return().
classic_init(Starter) ->
    try register(?MODULE, self()) of
        true ->
            true = group_leader(whereis(user), self()),
            ?MODULE = ets:new(?MODULE, [named_table, protected, set]),
            Starter ! {self(), started},
            classic_loop()
    catch
        error:badarg -> exit(taken)
    end.

%% Stops the classic server (its table goes with it) and waits for its end.
-spec classic_stop() -> ok.
classic_stop() ->
    case whereis(?MODULE) of
        undefined -> ok;
        Pid ->
            Ref = monitor(process, Pid),
            Pid ! stop,
            receive {'DOWN', Ref, process, Pid, _} -> ok end
    end.

%% A local loop, not a gen_server: when the extension loads the
%% application's version of this module, this process keeps the code it
%% runs until the application takes its table over and sends it `stop'.
-spec classic_loop() -> no_return().
classic_loop() ->
    receive
        {'$gen_call', From, Request} ->
            gen_server:reply(From, classic_serve(Request)),
            classic_loop();
        stop ->
            exit(normal);
        _Other ->
            classic_loop()
    end.

-spec classic_serve(term()) -> term().
classic_serve({read, Id, nolock}) when is_binary(Id) ->
    Oldest = erlang:system_time(second) - ?CLASSIC_LIFETIME_S,
    case ets:lookup(?MODULE, Id) of
        [{_, Data, WrittenS}] when WrittenS > Oldest -> {ok, Data, 0};
        _ -> {ok, <<>>, 0}
    end;
classic_serve({write, Id, 0, Data, _LifetimeS}) when is_binary(Id), is_binary(Data) ->
    true = ets:insert(?MODULE, {Id, Data, erlang:system_time(second)}),
    ok;
classic_serve({destroy, Id, 0}) when is_binary(Id) ->
    true = ets:delete(?MODULE, Id),
    ok;
classic_serve({classic_gc, MaxLifetime}) when ?IS_NAT(MaxLifetime) ->
    Oldest = erlang:system_time(second) - MaxLifetime,
    ets:select_delete(?MODULE, [{{'_', '_', '$1'}, [{'<', '$1', Oldest}], [true]}]);
classic_serve(_) ->
    {error, badarg}.

%%--------------------------------------------------------------------
%% gen_server

-spec init(role()) -> {ok, state()}.
init(Role) ->
    ok = start_shards(Role),
    Counters = maps:from_list([{K, 0} || K <- [reads, writes, touches, destroys, gcs]]),
    {ok, #{version => ?VERSION,
           role => Role,
           locks => ?LOCKS:new(),
           watched => #{},
           pending => #{},
           leader => none,
           counters => Counters,
           sweep_cursor => undefined,
           sweep_timer => schedule_sweep()}}.

%% The router's shards, linked to it: they go with it, and it with any.
-spec start_shards(role()) -> ok.
start_shards(router) ->
    {N, Names} = layout(),
    lists:foreach(fun(I) -> start_shard(element(I + 1, Names), I, N) end, lists:seq(0, N - 1));
start_shards({shard, _, _}) ->
    ok.

%% A shard of the router that this one replaces may still hold its name:
%% the exit signal of the old router's death is on its way to it.
-spec start_shard(atom(), non_neg_integer(), pos_integer()) -> ok.
start_shard(Name, I, N) ->
    case gen_server:start_link({local, Name}, ?MODULE, {shard, I, N}, []) of
        {ok, _} ->
            ok;
        {error, {already_started, Old}} ->
            Ref = monitor(process, Old),
            exit(Old, kill),
            receive {'DOWN', Ref, process, Old, _} -> ok end,
            start_shard(Name, I, N)
    end.

%% A state of version 4 (its code upgraded under it) is the one server.
-spec role(state()) -> role().
role(S) ->
    maps:get(role, S, {shard, 0, 1}).

%% The name this shard has on every node (its peers forward to it).
-spec name(state()) -> atom().
name(S) ->
    case role(S) of
        {shard, _, 1} -> ?MODULE;
        {shard, I, _} -> element(I + 1, element(2, layout()))
    end.

%% From is {Pid, Tag} with any Tag (the extension sends the atom peb), so
%% replies always go through gen_server:reply/2 or {reply, ...}.
-spec handle_call(term(), ?LOCKS:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
handle_call(Request, From, S = #{role := router}) ->
    route_call(Request, From, S);
handle_call(stats, _From, S) ->
    {reply, stats(S), S};
handle_call(Request, From, S) ->
    checked(Request, From, S, fun(Kind) -> store_safely(From, S, fun() -> serve(Kind, Request, From, S) end) end).

%% A request that passes kind/1 goes to the Raft store's front, or else to
%% Serve (the shard's own service, or the router's pass to a shard).
-spec checked(term(), ?LOCKS:from(), state(), fun((kind()) -> Result)) -> Result | {reply, {error, badarg}, state()}
          when Result :: {reply, term(), state()} | {noreply, state()}.
checked(Request, From, S, Serve) ->
    case kind(Request) of
        badarg -> {reply, {error, badarg}, S};
        Kind ->
            case ?STORE:raft() of
                true ->
                    ok = peb_session_raft_front:request(From, Request),
                    {noreply, count_raft(Request, S)};
                false ->
                    Serve(Kind)
            end
    end.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info(Msg, S = #{role := router}) ->
    {noreply, route_info(Msg, S)};
handle_info({forward, Front, Ref, Request}, S = #{locks := Locks}) when is_pid(Front), is_reference(Ref) ->
    {noreply, lead_safely(Request, {Front, {fwd, Ref}}, {via, Front},
                          S#{locks := ?LOCKS:watch_front(Front, Locks)})};
handle_info({{fwd, Ref}, Reply}, S = #{pending := Pending}) ->
    case maps:take(Ref, Pending) of
        {{From, _, _}, Rest} ->
            ?LOCKS:reply(From, Reply),
            {noreply, S#{pending := Rest}};
        error ->
            {noreply, S}
    end;
handle_info(retry_forwards, S) ->
    {noreply, retry_forwards(S)};
handle_info({'DOWN', Ref, process, Pid, _Reason}, S) ->
    {noreply, down(Ref, Pid, S)};
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
%% The router

%% A request for an id goes to its shard, which answers From itself; the
%% Raft store's go to its front, as a shard would hand them on.
-spec route_call(term(), ?LOCKS:from(), state()) -> {reply, term(), state()} | {noreply, state()}.
route_call(stats, From, S) ->
    gather(From, stats, fun add_stats/2, own_stats(S)),
    {noreply, S};
route_call(Request, From, S) ->
    checked(Request, From, S, fun(_Kind) -> to_shards(Request, From), {noreply, S} end).

to_shards({tagged, destroy, _} = Request, From) ->
    gather(From, Request, fun erlang:'+'/2, 0);
to_shards(Request, From) ->
    pass(owner(Request), {'$gen_call', From, Request}, From).

%% The shard that owns the request's id; shard 0 for the store-wide ones.
-spec owner(term()) -> atom().
owner(Request) ->
    {N, Names} = layout(),
    case Request of
        {_, Id} when is_binary(Id) -> element(shard_of(Id, N) + 1, Names);
        {_, Id, _} when is_binary(Id) -> element(shard_of(Id, N) + 1, Names);
        {_, Id, _, _} when is_binary(Id) -> element(shard_of(Id, N) + 1, Names);
        {_, Id, _, _, _} when is_binary(Id) -> element(shard_of(Id, N) + 1, Names);
        {_, Id, _, _, _, _} when is_binary(Id) -> element(shard_of(Id, N) + 1, Names);
        _ -> element(1, Names)
    end.

%% A shard restarting (they restart together with the router) is not there.
pass(Name, Msg, From) ->
    try Name ! Msg of
        _ -> ok
    catch
        error:badarg -> not_ready(From, ok), ok
    end.

%% A peer of an older version forwards to session_handler: its requests
%% and reports go on to the shards.
route_info({forward, _Front, _Ref, Request} = Msg, S) ->
    _ = catch_badarg(fun() -> owner(Request) ! Msg end),
    S;
route_info({holder_down, _} = Msg, S) ->
    {_, Names} = layout(),
    _ = [catch_badarg(fun() -> Name ! Msg end) || Name <- tuple_to_list(Names)],
    S;
route_info(_Msg, S) ->
    S.

catch_badarg(Send) ->
    try Send()
    catch
        error:badarg -> ok
    end.

%% Asks every shard, in a process of its own (the router goes on), and
%% answers From with their replies folded; a shard that does not answer
%% makes it {error, not_ready}.
-spec gather(?LOCKS:from(), term(), fun((term(), Acc) -> Acc), Acc) -> ok when Acc :: term().
gather(From, Request, Fold, Acc0) ->
    {_, Names} = layout(),
    _ = spawn(fun() ->
                      Reply = try
                                  lists:foldl(fun(Name, Acc) -> Fold(gen_server:call(Name, Request, ?GATHER_MS), Acc) end,
                                              Acc0, tuple_to_list(Names))
                              catch
                                  exit:_ -> {error, not_ready};
                                  error:_ -> {error, not_ready}
                              end,
                      ?LOCKS:reply(From, Reply)
              end),
    ok.

%% The shards' stats added up; the store's size is the same in each.
add_stats(Shard, Acc) ->
    maps:fold(fun(sessions, V, A) -> A#{sessions => V};
                 (K, V, A) -> maps:update_with(K, fun(M) -> M + V end, V, A)
              end, Acc, Shard).

%% The router's own counts: the Raft store's requests it handed on.
own_stats(#{counters := C}) ->
    C.

%%--------------------------------------------------------------------
%% Requests

%% read: served here. write: changes the store, here. lock: goes to the leader.
-spec kind(term()) -> kind() | badarg.
kind({read, Id, nolock}) when is_binary(Id) -> read;
kind({read, Id, {lock, Holder, WaitMs, ExpireMs}})
  when is_binary(Id), is_pid(Holder), ?IS_NAT(WaitMs), ?IS_NAT(ExpireMs) -> lock;
kind({write, Id, T, Data, LifetimeS}) when is_binary(Id), ?IS_TOKEN(T), is_binary(Data),
                                          ?IS_NAT(LifetimeS) -> by_token(T);
kind({write, Id, T, Data, LifetimeS, Tags}) when is_binary(Id), ?IS_TOKEN(T), is_binary(Data),
                                                ?IS_NAT(LifetimeS) ->
    case peb_session_tags:valid(Tags) of
        true -> by_token(T);
        false -> badarg
    end;
kind({tagged, Op, Tag}) when Op =:= count; Op =:= ids; Op =:= destroy ->
    case peb_session_tags:valid_tag(Tag) of
        true when Op =:= destroy -> write;
        true -> read;
        false -> badarg
    end;
kind({touch, Id, T, LifetimeS}) when is_binary(Id), ?IS_TOKEN(T), ?IS_NAT(LifetimeS) -> by_token(T);
kind({release, Id, T}) when is_binary(Id), ?IS_TOKEN(T) -> by_token(T);
kind({destroy, Id, T}) when is_binary(Id), ?IS_TOKEN(T) -> by_token(T);
kind({gc}) -> write;
kind({exists, Id}) when is_binary(Id) -> read;
kind(_) -> badarg.

-spec by_token(token()) -> write | lock.
by_token(0) -> write;
by_token(_) -> lock.

%% The store's table can be away for a moment (Mnesia loading it, or
%% restarted after a partition): the request then fails, with a reply that
%% sends PHP to another node, and the server (its locks) stays up. Every
%% store call comes before its request's reply, so there is no second one.
-spec store_safely(?LOCKS:from(), state(), fun(() -> Result)) -> Result | {noreply, state()}
          when Result :: {reply, term(), state()} | {noreply, state()}.
store_safely(From, S, Serve) ->
    try Serve()
    catch
        exit:{aborted, _} -> {noreply, not_ready(From, S)}
    end.

%% The same for a request that this server leads.
-spec lead_safely(peb_session_locks:request(), ?LOCKS:from(), peb_session_locks:via(), state()) -> state().
lead_safely(Request, From, Via, S) ->
    try lead(Request, From, Via, S)
    catch
        exit:{aborted, _} -> not_ready(From, S)
    end.

not_ready(From, S) ->
    ?LOCKS:reply(From, {error, not_ready}),
    S.

-spec serve(kind(), request(), ?LOCKS:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
serve(Kind, Request, From, S) ->
    case peb_session_cluster:status() of
        not_ready -> {reply, {error, not_ready}, S};
        _ when Kind =:= read -> {reply, unlocked(Request, S), count_read(Request, S)};
        ok when Kind =:= write -> {reply, unlocked(Request, S), count_write(Request, S)};
        ok -> {noreply, route(Request, From, S)};
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
        {shard, I, N} -> ?STORE:destroy_tagged(Tag, fun(Id) -> shard_of(Id, N) =:= I end)
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

count_read({read, _, _}, S) -> count(reads, S);
count_read(_, S) -> S.

%% The Raft store's requests, counted as they are handed on.
count_raft({read, _, _}, S) -> count(reads, S);
count_raft(Request, S) -> count_write(Request, S).

count_write({write, _, _, _, _}, S) -> count(writes, S);
count_write({write, _, _, _, _, _}, S) -> count(writes, S);
count_write({touch, _, _, _}, S) -> count(touches, S);
count_write({destroy, _, _}, S) -> count(destroys, S);
count_write({gc}, S) -> count(gcs, S);
count_write(_, S) -> S.

%%--------------------------------------------------------------------
%% To the leader

%% This server leads: the lock table serves the request.
-spec lead(peb_session_locks:request(), ?LOCKS:from(), peb_session_locks:via(), state()) -> state().
lead(Request, From, Via, S = #{locks := Locks}) ->
    S#{locks := ?LOCKS:lead(Request, From, Via, Locks)}.

-spec route(peb_session_locks:request(), ?LOCKS:from(), state()) -> state().
route(Request, From, S) ->
    case peb_session_cluster:leader() of
        Node when Node =:= node() ->
            lead(Request, From, local, S);
        undefined ->
            ?LOCKS:reply(From, {error, no_leader}),
            S;
        Node ->
            forward(Node, Request, From, erlang:monotonic_time(millisecond), S)
    end.

%% The holder's connection ends here, so this server watches it for the
%% leader, which cannot reach it.
-spec forward(node(), peb_session_locks:request(), ?LOCKS:from(), integer(), state()) -> state().
forward(Node, Request, From, Since, S0) ->
    S = watch_holder(Request, follow_leader(Node, S0)),
    Ref = make_ref(),
    {name(S), Node} ! {forward, self(), Ref, Request},
    S#{pending := maps:put(Ref, {From, Request, Since}, maps:get(pending, S))}.

follow_leader(Node, S = #{leader := {Node, _}}) ->
    S;
follow_leader(Node, S = #{leader := Old}) ->
    _ = case Old of
            {_, OldRef} -> demonitor(OldRef, [flush]);
            none -> true
        end,
    S#{leader := {Node, monitor(process, {name(S), Node})}}.

watch_holder({read, _, {lock, Holder, _, _}}, S = #{watched := Watched}) ->
    case Watched of
        #{Holder := _} -> S;
        #{} -> S#{watched := Watched#{Holder => monitor(process, Holder)}}
    end;
watch_holder(_, S) ->
    S.

%% The leader went down (or away): what was forwarded to it goes to the
%% next one, once the cluster has one; a request that waited longer than
%% any PHP timeout is dropped.
leader_down(S = #{pending := Pending}) ->
    _ = map_size(Pending) > 0 andalso erlang:send_after(50, self(), retry_forwards),
    S#{leader := none}.

retry_forwards(S0 = #{pending := Pending}) ->
    Now = erlang:monotonic_time(millisecond),
    {Expired, Live} = lists:partition(fun({_, _, Since}) -> Now - Since > ?FORWARD_PATIENCE_MS end,
                                      maps:values(Pending)),
    [?LOCKS:reply(From, {error, no_leader}) || {From, _, _} <- Expired],
    S = S0#{pending := #{}},
    case peb_session_cluster:leader() of
        undefined when Live =:= [] ->
            S;
        undefined ->
            %% No leader yet: one more round for them all, in a moment.
            erlang:send_after(100, self(), retry_forwards),
            S#{pending := maps:from_list([{make_ref(), P} || P <- Live])};
        Node ->
            lists:foldl(fun({From, Request, Since}, Acc) -> redispatch(Node, From, Request, Since, Acc) end,
                        S, Live)
    end.

redispatch(Node, From, Request, _Since, S) when Node =:= node() ->
    lead_safely(Request, From, local, S);
redispatch(Node, From, Request, Since, S) ->
    forward(Node, Request, From, Since, S).

%%--------------------------------------------------------------------
%% Monitors that fired

down(Ref, Pid, S = #{locks := Locks, watched := Watched, leader := Leader}) ->
    S2 = S#{locks := ?LOCKS:down(Ref, Pid, Locks)},
    S3 = case Watched of
             #{Pid := Ref} -> tell_leader_holder_down(Pid, S2#{watched := maps:remove(Pid, Watched)});
             _ -> S2
         end,
    case Leader of
        {_, Ref} -> leader_down(S3);
        _ -> S3
    end.

tell_leader_holder_down(Holder, S = #{leader := {Node, _}}) ->
    {name(S), Node} ! {holder_down, Holder},
    S;
tell_leader_holder_down(_Holder, S) ->
    S.

%%--------------------------------------------------------------------
%% Housekeeping

%% Only the leader's shard 0 sweeps; a server that is not remembers
%% nothing, so that it starts with a whole sweep if it becomes the leader.
%% A sweep deletes only sessions whose expiry passed (ETS checks it in the
%% same step as the delete; Mnesia deletes the very record it read, so one
%% written since stays), and an expired
%% session reads as version 0: no writer's version check can tell the
%% delete, so the sweep need not be the owner's.
sweep(S = #{sweep_cursor := Cursor}) ->
    case role(S) =/= router andalso element(2, role(S)) =:= 0
        andalso peb_session_cluster:leader() =:= node() of
        true ->
            {_, Next} = ?STORE:sweep(Cursor),
            S#{sweep_cursor := Next};
        false ->
            S#{sweep_cursor := undefined}
    end.

schedule_sweep() ->
    erlang:send_after(application:get_env(peb_session, sweep_interval_ms, 60000), self(), sweep).

-spec count(counter(), state()) -> state().
count(Key, S = #{counters := C}) ->
    S#{counters := maps:update_with(Key, fun(N) -> N + 1 end, 1, C)}.

%% The lock table's counts add to this server's own (reads and writes
%% under a lock are counted there).
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
