%% @doc The ETS store: sessions on one node, in the public table
%% `session_handler' as `{Id, Data, ExpiresAt, TouchedAt, Vsn}', owned by
%% the top supervisor. A record whose ExpiresAt has passed is never
%% returned, whether or not a sweep has removed it yet.
%%
%% Tags (peb_session_tags) live in a second table, `peb_session_tag_index',
%% an ordered_set of `{{tag, Tag, Id}}' and `{{id, Id, Tag}}': the sessions
%% of a tag and the tags of a session are each a key prefix away. They go
%% with their session on delete; a sweep or gc removes those whose session
%% it removed.
-module(peb_session_ets).
-behaviour(peb_session_store).
-compile(warn_missing_spec).

-export([create/0, take_over/0, restore/1]).
-export([lookup/1, version/1, is_live/1, write/4, touch/2, delete/1, sweep/1, gc/1, size/0]).
-export([tag/2, tags_of/1, tag_members/1, present/1]).

-define(TABLE, session_handler).
-define(TAGS, peb_session_tag_index).
%% PHP's default session.gc_maxlifetime, for records of the 2009 store.
-define(CLASSIC_LIFETIME_S, 1440).

-spec create() -> ok.
create() ->
    ?TABLE = ets:new(?TABLE, [named_table, public, set,
                              {read_concurrency, true}, {write_concurrency, true}]),
    %% A fresh store: a tag table left from another (public, owned by
    %% whoever made it) would tag its sessions.
    _ = ets:whereis(?TAGS) =/= undefined andalso ets:delete(?TAGS),
    ok = tag_table(),
    peb_session_store:set_id({ets, make_ref()}).

-spec lookup(peb_session_store:id()) -> {binary(), peb_session_store:vsn()}.
lookup(Id) ->
    Now = peb_session_store:now_ms(),
    case ets:lookup(?TABLE, Id) of
        [{_, Data, ExpiresAt, _, Vsn}] when ExpiresAt > Now ->
            {Data, Vsn};
        [Expired] ->
            %% delete_object, not delete: a fresh write may have replaced it.
            true = ets:delete_object(?TABLE, Expired),
            {<<>>, 0};
        [] ->
            {<<>>, 0}
    end.

%% A lookup, not a select (which compiles its match spec at every call): the
%% data is an off-heap binary, so only a reference to it is copied.
-spec version(peb_session_store:id()) -> peb_session_store:vsn().
version(Id) ->
    Now = peb_session_store:now_ms(),
    case ets:lookup(?TABLE, Id) of
        [{_, _, ExpiresAt, _, Vsn}] when ExpiresAt > Now -> Vsn;
        _ -> 0
    end.

-spec is_live(peb_session_store:id()) -> boolean().
is_live(Id) ->
    Now = peb_session_store:now_ms(),
    case ets:lookup(?TABLE, Id) of
        [{_, _, ExpiresAt, _, _}] -> ExpiresAt > Now;
        _ -> false
    end.

-spec write(peb_session_store:id(), binary(), non_neg_integer(), peb_session_store:vsn()) -> ok.
write(Id, Data, LifetimeS, Vsn) ->
    Now = peb_session_store:now_ms(),
    true = ets:insert(?TABLE, {Id, Data, Now + LifetimeS * 1000, Now, Vsn}),
    ok.

-spec touch(peb_session_store:id(), non_neg_integer()) -> ok.
touch(Id, LifetimeS) ->
    Now = peb_session_store:now_ms(),
    _ = is_live(Id) andalso
        ets:update_element(?TABLE, Id, [{3, Now + LifetimeS * 1000}, {4, Now}]),
    ok.

-spec delete(peb_session_store:id()) -> ok.
delete(Id) ->
    true = ets:delete(?TABLE, Id),
    untag(Id).

%% One select_delete over the table: ETS scans fast enough for one node.
-spec sweep(Cursor) -> {non_neg_integer(), Cursor}.
sweep(Cursor) ->
    Now = peb_session_store:now_ms(),
    Count = ets:select_delete(?TABLE, [{{'_', '_', '$1', '_', '_'}, [{'=<', '$1', Now}], [true]}]),
    ok = prune_tags(),
    {Count, Cursor}.

-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetimeS) ->
    Now = peb_session_store:now_ms(),
    Oldest = Now - MaxLifetimeS * 1000,
    Count = ets:select_delete(?TABLE, [{{'_', '_', '$1', '$2', '_'},
                                        [{'orelse', {'=<', '$1', Now}, {'<', '$2', Oldest}}],
                                        [true]}]),
    ok = prune_tags(),
    Count.

-spec size() -> non_neg_integer().
size() ->
    ets:info(?TABLE, size).

%%--------------------------------------------------------------------
%% Tags

%% @doc Gives the session Id these tags too (those it has stay).
-spec tag(peb_session_store:id(), [peb_session_tags:tag()]) -> ok.
tag(Id, Tags) ->
    ok = tag_table(),
    true = ets:insert(?TAGS, lists:append([[{{tag, T, Id}}, {{id, Id, T}}] || T <- Tags])),
    ok.

%% @doc The tags of a session (for subscribers).
-spec tags_of(peb_session_store:id()) -> [peb_session_tags:tag()].
tags_of(Id) ->
    case ets:whereis(?TAGS) of
        undefined -> [];
        _ -> ets:select(?TAGS, [{{{id, Id, '$1'}}, [], ['$1']}])
    end.

%% @doc Whether the table holds Id, expired or not.
-spec present(peb_session_store:id()) -> boolean().
present(Id) ->
    ets:member(?TABLE, Id).

%% @doc The sessions tagged Tag, live or expired.
-spec tag_members(peb_session_tags:tag()) -> [peb_session_store:id()].
tag_members(Tag) ->
    case ets:whereis(?TAGS) of
        undefined -> [];
        _ -> ets:select(?TAGS, [{{{tag, Tag, '$1'}}, [], ['$1']}])
    end.

untag(Id) ->
    case ets:whereis(?TAGS) of
        undefined ->
            ok;
        _ ->
            Tags = ets:select(?TAGS, [{{{id, Id, '$1'}}, [], ['$1']}]),
            lists:foreach(fun(T) -> true = ets:delete(?TAGS, {tag, T, Id}) end, Tags),
            true = ets:match_delete(?TAGS, {{id, Id, '_'}}),
            ok
    end.

%% The tags of sessions no longer in the table (swept, collected, or
%% removed expired by a read).
prune_tags() ->
    case ets:whereis(?TAGS) of
        undefined ->
            ok;
        _ ->
            Gone = lists:usort([Id || Id <- ets:select(?TAGS, [{{{id, '$1', '_'}}, [], ['$1']}]),
                                      not ets:member(?TABLE, Id)]),
            lists:foreach(fun untag/1, Gone)
    end.

%% The tag table, made where missing: at create/0 (owned by the top
%% supervisor, like the sessions') or, in a store whose beams were
%% replaced under it (the extension's autoload of a newer version), by the
%% first process that tags, with the sessions' owner as its heir.
tag_table() ->
    case ets:whereis(?TAGS) of
        undefined ->
            Heir = case ets:info(?TABLE, owner) of
                       Owner when is_pid(Owner), Owner =/= self() -> {heir, Owner, none};
                       _ -> {heir, none}
                   end,
            try ets:new(?TAGS, [named_table, public, ordered_set, Heir, {write_concurrency, true}]) of
                ?TAGS -> ok
            catch
                error:badarg -> ok    % made by another process meanwhile
            end;
        _ ->
            ok
    end.

%%--------------------------------------------------------------------
%% Upgrades

%% @doc A node may still run an older store that owns the table: the 2009
%% module (a process registered as session_handler, records
%% `{Id, Data, WrittenAtSeconds}') or version 1 (its supervisor
%% session_handler_sup, records `{Id, Data, ExpiresAt, TouchedAt}'). Their
%% sessions are taken, in today's form, and the old owner is stopped so
%% that the new supervisor can create the table.
-spec take_over() -> [tuple()].
take_over() ->
    Owner = ets:info(?TABLE, owner),
    Name = is_pid(Owner) andalso process_info(Owner, registered_name),
    case Name of
        {registered_name, Old} when Old =:= session_handler; Old =:= session_handler_sup ->
            Records = [R || R0 <- ets:tab2list(?TABLE), R <- [upgrade(R0)], R =/= skip],
            stop_process(Owner),
            Records;
        _ ->
            []
    end.

upgrade({Id, Data, WrittenS}) when is_binary(Id), is_binary(Data), is_integer(WrittenS) ->
    {Id, Data, (WrittenS + ?CLASSIC_LIFETIME_S) * 1000, WrittenS * 1000, 0};
upgrade({Id, Data, ExpiresAt, TouchedAt}) when is_binary(Id), is_binary(Data) ->
    {Id, Data, ExpiresAt, TouchedAt, 0};
upgrade(_) ->
    skip.

stop_process(Pid) ->
    Ref = monitor(process, Pid),
    _ = case process_info(Pid, registered_name) of
            {registered_name, session_handler_sup} -> spawn(sys, terminate, [Pid, shutdown]);
            _ -> Pid ! stop
        end,
    receive
        {'DOWN', Ref, process, Pid, _} -> ok
    after 5000 ->
        exit(Pid, kill),
        receive {'DOWN', Ref, process, Pid, _} -> ok end
    end.

%% @doc insert_new: a session written since the take-over is newer.
-spec restore([tuple()]) -> ok.
restore(Records) ->
    _ = [ets:insert_new(?TABLE, R) || R <- Records],
    ok.
