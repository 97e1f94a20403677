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
%%
%% A Raft cluster (Ra's beams on every node's code path, see
%% docs/cluster.md), the same two commands with `raft':
%%   first node:   `peb_session:create(raft)'
%%   each further: `peb_session:join(FirstNode, raft)'
%% Each node's Raft log lives in the application env `raft_dir'. A node
%% restarted with its dir keeps its data and catches up; one whose dir was
%% wiped (or a new one) is started with join/2 again.
%%
%% Tags (docs/tags.md): the sessions PHP tagged (peb_session_tag()), by
%% tag: count_tagged/1, sessions_tagged/1 (their ids), destroy_tagged/1.
%% read_decoded/1: a session's variables as Erlang terms (peb_session_php).
%% subscribe/1, unsubscribe/1: change notifications (peb_session_subs).
-module(peb_session).
-compile(warn_missing_spec).

-export([start/0, create/1, join/2, status/0, stop/0]).
-export([destroy_tagged/1, count_tagged/1, sessions_tagged/1, read_decoded/1]).
-export([subscribe/1, unsubscribe/1]).

-spec start() -> ok.
start() ->
    session_handler:start().

-spec create(ram | disc | raft) -> ok.
create(Storage) ->
    cluster(Storage, []).

-spec join(node() | [node()], ram | disc | raft) -> ok.
join(Seed, Storage) when is_atom(Seed) ->
    join([Seed], Storage);
join(Seeds, Storage) when is_list(Seeds) ->
    cluster(Storage, Seeds).

cluster(Storage, Seeds) when Storage =:= ram; Storage =:= disc; Storage =:= raft ->
    case application:load(peb_session) of
        ok -> ok;
        {error, {already_loaded, _}} -> ok
    end,
    case Storage of
        raft ->
            ok = application:set_env(peb_session, store, raft);
        _ ->
            ok = application:set_env(peb_session, store, mnesia),
            ok = application:set_env(peb_session, storage, Storage)
    end,
    ok = application:set_env(peb_session, join, Seeds),
    {ok, _} = application:ensure_all_started(peb_session),
    ok.

-spec status() -> map().
status() ->
    case peb_session_store:kind() of
        raft -> peb_session_raft_node:info();
        _ -> peb_session_cluster:info()
    end.

-spec stop() -> ok.
stop() ->
    session_handler:stop().

%% @doc Destroys every session tagged Tag, on every node of the store (also
%% one whose lock a request holds: that request's write is refused); how
%% many were live.
-spec destroy_tagged(iodata()) -> non_neg_integer().
destroy_tagged(Tag) ->
    peb_session_tags:destroy(Tag).

%% @doc How many live sessions are tagged Tag.
-spec count_tagged(iodata()) -> non_neg_integer().
count_tagged(Tag) ->
    peb_session_tags:count(Tag).

%% @doc The ids of the live sessions tagged Tag.
-spec sessions_tagged(iodata()) -> [binary()].
sessions_tagged(Tag) ->
    peb_session_tags:ids(Tag).

%% @doc A session's variables, decoded from PHP's `php' or `php_serialize'
%% format (peb_session_php); not_found when there is no session (or an
%% empty one).
-spec read_decoded(iodata()) -> {ok, #{binary() | integer() => peb_session_php:value()}}
                                    | {error, not_found | peb_session_php:reason()}.
read_decoded(Id) ->
    case session_handler:read(Id) of
        <<>> -> {error, not_found};
        Data -> peb_session_php:decode(Data)
    end.

%% @doc The calling process gets a message each time the session Id (or a
%% session tagged Tag) is written, destroyed or removed expired, until it
%% unsubscribes or dies (see peb_session_subs for the messages).
-spec subscribe(iodata() | {tag, iodata()}) -> ok.
subscribe(What) ->
    peb_session_subs:subscribe(sub_key(What), self()).

-spec unsubscribe(iodata() | {tag, iodata()}) -> ok.
unsubscribe(What) ->
    peb_session_subs:unsubscribe(sub_key(What), self()).

sub_key({tag, Tag}) ->
    B = iolist_to_binary(Tag),
    case peb_session_tags:valid_tag(B) of
        true -> {tag, B};
        false -> erlang:error(badarg, [{tag, Tag}])
    end;
sub_key(Id) ->
    {id, iolist_to_binary(Id)}.
