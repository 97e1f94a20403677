%% @doc The operator's commands for the session store.
%%
%% One node, ETS:  `peb_session:start()' (or nothing at all: the extension
%% starts it on first use).
%% A Mnesia cluster, one command per node:
%%   first node:   `peb_session:create(ram | disc)'
%%   each further: `peb_session:join(FirstNode, ram | disc)'
%% A node that crashed is started again with join/2, naming any running
%% node; it copies the sessions written while it was down. disc keeps this
%% node's copy on disc (in Mnesia's dir), so that the sessions survive a
%% restart of the whole cluster.
-module(peb_session).
-compile(warn_missing_spec).

-export([start/0, create/1, join/2, status/0, stop/0]).

-spec start() -> ok.
start() ->
    session_handler:start().

-spec create(ram | disc) -> ok.
create(Storage) ->
    cluster(Storage, []).

-spec join(node() | [node()], ram | disc) -> ok.
join(Seed, Storage) when is_atom(Seed) ->
    join([Seed], Storage);
join(Seeds, Storage) when is_list(Seeds) ->
    cluster(Storage, Seeds).

cluster(Storage, Seeds) when Storage =:= ram; Storage =:= disc ->
    case application:load(peb_session) of
        ok -> ok;
        {error, {already_loaded, _}} -> ok
    end,
    ok = application:set_env(peb_session, store, mnesia),
    ok = application:set_env(peb_session, storage, Storage),
    ok = application:set_env(peb_session, join, Seeds),
    {ok, _} = application:ensure_all_started(peb_session),
    ok.

-spec status() -> map().
status() ->
    peb_session_cluster:info().

-spec stop() -> ok.
stop() ->
    session_handler:stop().
