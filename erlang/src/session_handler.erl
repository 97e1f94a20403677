%% @doc The session server that PHP's peb extension talks to, registered as
%% `session_handler' on every node of the store: starting and stopping the
%% store, the router in front of its shards, and the 2009 article's classic
%% API (read/1, write/2, destroy/1, gc/1, used by the userland PHP handler
%% through rpc), kept working on top of it. What the shards do with the
%% requests is peb_session_shard's (the locks, the versions, the store);
%% their checks and counters peb_session_request's; the Mnesia leader's
%% forwarding peb_session_forward's.
%%
%% The extension sends raw gen_server calls, `{'$gen_call', {Pid, peb},
%% Request}', and waits for `{peb, Reply}' (the requests:
%% peb_session_request:request()).
%%
%% Shards: the locks of a node are spread over N processes (the
%% application's `shards', 16 by default, equal on every node of a
%% cluster), peb_session_shard's, registered as `peb_session_shard_<I>';
%% shard I owns the ids whose `erlang:crc32(Id) rem N' is I (shard_of/2),
%% and is the only process that writes them. `session_handler' is then a
%% router: a request that names an id goes to its shard with the caller's
%% From, so the shard answers the caller itself; the store-wide ones are
%% its own (stats/0 adds the shards' up, {tagged, destroy, Tag} goes to
%% every shard, each deleting the ids it owns; {gc} and the tag queries,
%% which change no version a writer could have read, to shard 0). The
%% extension learns the shards' pids once per link (shards/0) and sends
%% each request straight to its shard. The router starts its shards linked
%% to it: one of them crashing restarts them all, and the router, as the
%% one server did. With N = 1 there is no router: the one shard is
%% registered as `session_handler'.
%%
%% The Raft store (peb_session_store:raft/0) has neither lock table nor a
%% leader of ours: every request goes, with its caller, to
%% peb_session_raft_front, which answers it through Ra's log, where the
%% machine (peb_session_raft) holds the sessions and the locks.
%%
%% Tags (peb_session_tags, docs/tags.md): a write may carry a sixth
%% element, the tags PHP gave the session, stored with the write (so a
%% tagged cycle is no extra round trip); {tagged, count | ids | destroy,
%% Tag} serve the sessions of a tag. The five-element write is taken as
%% before.
%%
%% Upgrades (autoload loads a newer version's modules under a running
%% store): the processes keep their names and their states (maps of plain
%% data), and run the new code from their next callback. Version 5 and
%% before ran the shards with this module as their callback module: a
%% state that is not the router's is a shard's, whose callbacks this module
%% hands on to peb_session_shard.
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

-export([version/0, start/0, ensure/0, stop/0, stats/0, shards/0, shard_of/2, layout/0]).
-export([read/1, write/2, destroy/1, gc/1]).
-export([start_link/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2,
         code_change/3]).

-define(STORE, peb_session_store).
-define(LOCKS, peb_session_locks).
%% Bump when the protocol, the state or the processes' code changes: the
%% extension installs its own beams into a node whose version/0 is older
%% than the one it speaks (src/session/server.rs's VERSION, bumped with it).
-define(VERSION, 6).
%% What ensure/0 says of the classic store: older than any protocol.
-define(CLASSIC_VERSION, 0).
%% PHP's default session.gc_maxlifetime, for the classic write/2.
-define(CLASSIC_LIFETIME_S, 1440).
-define(IS_NAT(T), (is_integer(T) andalso T >= 0)).
%% The shards' number and names, set when the server starts; absent, the
%% one server of version 4 and before (its code upgraded under it).
-define(LAYOUT, {?MODULE, shards}).
-define(DEFAULT_SHARDS, 16).
-define(GATHER_MS, 15000).

%% The router's state: the Raft store's requests it handed on, counted. A
%% router of version 5 or before has the shard's fields too (unused).
-type router() :: #{version := pos_integer(), role := router,
                    counters := #{peb_session_request:counter() => non_neg_integer()},
                    atom() => term()}.
%% A shard of version 5 or before, run with this module as its callback.
-type state() :: router() | peb_session_shard:state().

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

%% @doc The server: with one shard, the one server (peb_session_shard's);
%% with more, the router, whose init starts the shards (linked to it)
%% before it serves.
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
    case N of
        1 -> peb_session_shard:start_link(?MODULE, 0, 1);
        _ -> gen_server:start_link({local, ?MODULE}, ?MODULE, router, [])
    end.

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

%% @doc The shards' number and registered names (the shards' own too).
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
%% gen_server: the router (and the shards of older versions)

-spec init(router) -> {ok, router()}.
init(router) ->
    ok = start_shards(),
    Counters = maps:from_list([{K, 0} || K <- [reads, writes, touches, destroys, gcs]]),
    {ok, #{version => ?VERSION, role => router, counters => Counters}}.

%% The router's shards, linked to it: they go with it, and it with any.
-spec start_shards() -> ok.
start_shards() ->
    {N, Names} = layout(),
    lists:foreach(fun(I) -> start_shard(element(I + 1, Names), I, N) end, lists:seq(0, N - 1)).

%% A shard of the router that this one replaces may still hold its name:
%% the exit signal of the old router's death is on its way to it.
-spec start_shard(atom(), non_neg_integer(), pos_integer()) -> ok.
start_shard(Name, I, N) ->
    case peb_session_shard:start_link(Name, I, N) of
        {ok, _} ->
            ok;
        {error, {already_started, Old}} ->
            Ref = monitor(process, Old),
            exit(Old, kill),
            receive {'DOWN', Ref, process, Old, _} -> ok end,
            start_shard(Name, I, N)
    end.

-spec handle_call(term(), ?LOCKS:from(), state()) ->
          {reply, term(), state()} | {noreply, state()}.
handle_call(Request, From, S = #{role := router}) ->
    route_call(Request, From, S);
handle_call(Request, From, S) ->
    peb_session_shard:handle_call(Request, From, S).

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info(Msg, S = #{role := router}) ->
    {noreply, route_info(Msg, S)};
handle_info(Msg, S) ->
    peb_session_shard:handle_info(Msg, S).

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
-spec route_call(term(), ?LOCKS:from(), router()) -> {reply, term(), router()} | {noreply, router()}.
route_call(stats, From, S) ->
    gather(From, stats, fun add_stats/2, own_stats(S)),
    {noreply, S};
route_call(Request, From, S) ->
    peb_session_request:checked(Request, From, S, fun(_Kind) -> to_shards(Request, From), {noreply, S} end).

to_shards({tagged, destroy, _} = Request, From) ->
    gather(From, Request, fun erlang:'+'/2, 0);
to_shards(Request, From) ->
    pass(owner(Request), {'$gen_call', From, Request}, From).

%% The shard that owns the request's id; shard 0 for the store-wide ones.
-spec owner(term()) -> atom().
owner(Request) ->
    {N, Names} = layout(),
    case peb_session_request:id(Request) of
        {ok, Id} -> element(shard_of(Id, N) + 1, Names);
        none -> element(1, Names)
    end.

%% A shard restarting (they restart together with the router) is not there.
pass(Name, Msg, From) ->
    try Name ! Msg of
        _ -> ok
    catch
        error:badarg -> ?LOCKS:reply(From, {error, not_ready})
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
