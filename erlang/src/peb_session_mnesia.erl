%% @doc The Mnesia store: the table `peb_session', replicated on every node
%% of the cluster (ram_copies or disc_copies per node, see
%% peb_session_cluster), as
%% `#peb_session{id, data, expires_at, touched_at, vsn, bucket}'.
%%
%% bucket is the minute in which the session expires, and is indexed: a
%% sweep reads only the buckets that expired since the last one, instead of
%% scanning the table. Only the cluster's lock leader sweeps (peb_session_shard).
%%
%% Writes are dirty: the locks that make them safe live in the leader, not in
%% Mnesia transactions (which cost milliseconds across three nodes). With
%% `replication' = sync (the default) a write returns once every running
%% replica has it, so a write that PHP saw confirmed survives the loss of
%% any node; with async it returns once the local replica has it.
%%
%% Tags (peb_session_tags) are the table `peb_session_tag', a bag of
%% `#peb_session_tag{tag, id}' indexed on id, replicated like the sessions
%% (peb_session_cluster makes both). A tagged write puts the session and
%% its tags in one replicated operation; a delete takes the tags with the
%% session; a sweep or gc removes the tags of the sessions it removed.
-module(peb_session_mnesia).
-behaviour(peb_session_store).
-compile(warn_missing_spec).

-export([table_options/1, table/0, tag_table_options/1, tag_table/0]).
-export([tag/2, write_tagged/5, tags_of/1, tag_members/1, present/1]).
-export([lookup/1, version/1, is_live/1, write/4, touch/2, delete/1, sweep/1, gc/1, size/0]).

-record(peb_session, {id, data, expires_at, touched_at, vsn, bucket}).
-record(peb_session_tag, {tag, id}).

-define(BUCKET_MS, 60000).

-spec table() -> atom().
table() ->
    peb_session.

%% @doc The options that create the table, with this node's copy of `Storage'.
-spec table_options(ram_copies | disc_copies) -> list().
table_options(Storage) ->
    [{Storage, [node()]},
     {attributes, record_info(fields, peb_session)},
     {index, [#peb_session.bucket]}].

-spec tag_table() -> atom().
tag_table() ->
    peb_session_tag.

%% @doc The options of the tag table, with this node's copy of `Storage'.
-spec tag_table_options(ram_copies | disc_copies) -> list().
tag_table_options(Storage) ->
    [{Storage, [node()]},
     {type, bag},
     {attributes, record_info(fields, peb_session_tag)},
     {index, [#peb_session_tag.id]}].

-spec lookup(peb_session_store:id()) -> {binary(), peb_session_store:vsn()}.
lookup(Id) ->
    Now = peb_session_store:now_ms(),
    case mnesia:dirty_read(peb_session, Id) of
        [#peb_session{data = Data, expires_at = ExpiresAt, vsn = Vsn}] when ExpiresAt > Now ->
            {Data, Vsn};
        _ ->
            {<<>>, 0}
    end.

-spec version(peb_session_store:id()) -> peb_session_store:vsn().
version(Id) ->
    Now = peb_session_store:now_ms(),
    case mnesia:dirty_read(peb_session, Id) of
        [#peb_session{expires_at = ExpiresAt, vsn = Vsn}] when ExpiresAt > Now -> Vsn;
        _ -> 0
    end.

-spec is_live(peb_session_store:id()) -> boolean().
is_live(Id) ->
    Now = peb_session_store:now_ms(),
    case mnesia:dirty_read(peb_session, Id) of
        [#peb_session{expires_at = ExpiresAt}] -> ExpiresAt > Now;
        _ -> false
    end.

-spec write(peb_session_store:id(), binary(), non_neg_integer(), peb_session_store:vsn()) -> ok.
write(Id, Data, LifetimeS, Vsn) ->
    Now = peb_session_store:now_ms(),
    ExpiresAt = Now + LifetimeS * 1000,
    put_record(#peb_session{id = Id, data = Data, expires_at = ExpiresAt,
                            touched_at = Now, vsn = Vsn, bucket = bucket(ExpiresAt)}).

-spec touch(peb_session_store:id(), non_neg_integer()) -> ok.
touch(Id, LifetimeS) ->
    Now = peb_session_store:now_ms(),
    case mnesia:dirty_read(peb_session, Id) of
        [R = #peb_session{expires_at = Old}] when Old > Now ->
            ExpiresAt = Now + LifetimeS * 1000,
            put_record(R#peb_session{expires_at = ExpiresAt, touched_at = Now,
                                     bucket = bucket(ExpiresAt)});
        _ ->
            ok
    end.

-spec delete(peb_session_store:id()) -> ok.
delete(Id) ->
    replicated(fun() -> mnesia:delete({peb_session, Id}), untag(Id) end).

%% The cursor is the first bucket not yet swept; undefined for a leader
%% that has not swept yet, which then reads the whole table once.
%% The cursor: undefined, or the first bucket (minute) not yet swept.
-spec sweep(undefined | non_neg_integer()) -> {non_neg_integer(), non_neg_integer()}.
sweep(undefined) ->
    Now = peb_session_store:now_ms(),
    Expired = mnesia:dirty_select(peb_session, [{#peb_session{expires_at = '$1', _ = '_'},
                                                 [{'=<', '$1', Now}], ['$_']}]),
    {remove(Expired, Now), bucket(Now)};
sweep(From) ->
    Now = peb_session_store:now_ms(),
    To = bucket(Now),
    Expired = lists:append([mnesia:dirty_index_read(peb_session, B, #peb_session.bucket)
                            || B <- lists:seq(From, To)]),
    %% The current bucket is read again next time: it is not over yet.
    {remove(Expired, Now), To}.

-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetimeS) ->
    Now = peb_session_store:now_ms(),
    Oldest = Now - MaxLifetimeS * 1000,
    Old = mnesia:dirty_select(peb_session,
                              [{#peb_session{expires_at = '$1', touched_at = '$2', _ = '_'},
                                [{'orelse', {'=<', '$1', Now}, {'<', '$2', Oldest}}], ['$_']}]),
    delete_objects(Old).

-spec size() -> non_neg_integer().
size() ->
    mnesia:table_info(peb_session, size).

remove(Records, Now) ->
    delete_objects([R || R = #peb_session{expires_at = E} <- Records, E =< Now]).

%% delete_object: a session written since it was read is not removed. Not
%% waited for on the other replicas (dirty, async): an expired session is
%% never returned anyway, and a sweep of thousands must not hold the leader
%% for a round trip each.
delete_objects(Records) ->
    lists:foreach(fun(R = #peb_session{id = Id}) ->
                          ok = mnesia:dirty_delete_object(R),
                          dirty_untag(Id)
                  end, Records),
    length(Records).

bucket(Ms) ->
    Ms div ?BUCKET_MS.

put_record(R) ->
    replicated(fun() -> mnesia:write(R) end).

replicated(Fun) ->
    case application:get_env(peb_session, replication, sync) of
        async -> mnesia:async_dirty(Fun);
        _ -> mnesia:sync_dirty(Fun)
    end.

%%--------------------------------------------------------------------
%% Tags

%% @doc A write and its tags, in one replicated operation.
-spec write_tagged(peb_session_store:id(), binary(), non_neg_integer(), peb_session_store:vsn(),
                   [peb_session_tags:tag()]) -> ok.
write_tagged(Id, Data, LifetimeS, Vsn, Tags) ->
    Now = peb_session_store:now_ms(),
    ExpiresAt = Now + LifetimeS * 1000,
    R = #peb_session{id = Id, data = Data, expires_at = ExpiresAt,
                     touched_at = Now, vsn = Vsn, bucket = bucket(ExpiresAt)},
    replicated(fun() -> ok = mnesia:write(R), put_tags(Id, Tags) end).

%% @doc Gives the session Id these tags too (those it has stay).
-spec tag(peb_session_store:id(), [peb_session_tags:tag()]) -> ok.
tag(Id, Tags) ->
    replicated(fun() -> put_tags(Id, Tags) end).

%% @doc The tags of a session (for subscribers).
-spec tags_of(peb_session_store:id()) -> [peb_session_tags:tag()].
tags_of(Id) ->
    lists:usort([T || #peb_session_tag{tag = T} <- mnesia:dirty_index_read(peb_session_tag, Id, #peb_session_tag.id)]).

%% @doc Whether the table holds Id, expired or not.
-spec present(peb_session_store:id()) -> boolean().
present(Id) ->
    mnesia:dirty_read(peb_session, Id) =/= [].

%% @doc The sessions tagged Tag, live or expired.
-spec tag_members(peb_session_tags:tag()) -> [peb_session_store:id()].
tag_members(Tag) ->
    lists:usort([Id || #peb_session_tag{id = Id} <- mnesia:dirty_read(peb_session_tag, Tag)]).

put_tags(Id, Tags) ->
    lists:foreach(fun(T) -> ok = mnesia:write(#peb_session_tag{tag = T, id = Id}) end, Tags).

%% Inside a replicated (sync_dirty) operation.
untag(Id) ->
    lists:foreach(fun(R) -> ok = mnesia:delete_object(R) end,
                  mnesia:index_read(peb_session_tag, Id, #peb_session_tag.id)).

%% After a sweep's dirty delete: only where the session is really gone (a
%% session written again since it was read keeps its tags).
dirty_untag(Id) ->
    case mnesia:dirty_read(peb_session, Id) of
        [] -> lists:foreach(fun mnesia:dirty_delete_object/1,
                            mnesia:dirty_index_read(peb_session_tag, Id, #peb_session_tag.id));
        _ -> ok
    end.
