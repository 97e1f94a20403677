%% @doc The one interface of the session stores, a behaviour that names
%% none of them: the supervisor (peb_session_sup) tells use/2 which module
%% implements the store of this node's kind: peb_session_ets (one node),
%% peb_session_mnesia (a replicated Mnesia cluster) or
%% peb_session_raft_front (the Raft store's view of its machine, for stats
%% and the classic gc/1: every request of the Raft store goes to that front
%% as it is, see raft/0). The optional callbacks are called where the
%% store exports them; otherwise this module serves the same over the
%% mandatory ones.
%%
%% A session is its data, its expiry and its version: the nonce of the
%% write that made it (0 for none). Versions let a write whose lock was lost
%% with a node be accepted when nobody wrote the session since it was read
%% (see peb_session_shard), and let a write repeated after a failover be
%% recognised as done.
%%
%% A session may carry tags (peb_session_tags), kept beside it and gone
%% with it. The changes made here are told to subscribers
%% (peb_session_subs): nothing more than one ets:info/2 when there is none.
%%
%% Times are milliseconds of erlang:system_time/1. Ids and data are
%% binaries, never atoms: they come from the network.
-module(peb_session_store).
-compile(warn_missing_spec).

-export([kind/0, use/2, replicated/0, raft/0, id/0, set_id/1, lookup/1, version/1, is_live/1, write/4, touch/2, delete/1,
         sweep/1, gc/1, size/0, now_ms/0, nonce/0]).
-export([write_tagged/5, tag/2, tagged/1, destroy_tagged/1, destroy_tagged/2]).

-type id() :: binary().
-type vsn() :: non_neg_integer().
-export_type([id/0, vsn/0]).

%% The data and version of a live session; {<<>>, 0} for none.
-callback lookup(id()) -> {binary(), vsn()}.
%% The version alone (0 for none), without copying the data.
-callback version(id()) -> vsn().
-callback is_live(id()) -> boolean().
-callback write(id(), binary(), LifetimeS :: non_neg_integer(), vsn()) -> ok.
%% Extends a live session's lifetime; an expired one stays expired.
-callback touch(id(), LifetimeS :: non_neg_integer()) -> ok.
-callback delete(id()) -> ok.
%% Removes the expired sessions, from where the last sweep stopped.
-callback sweep(Cursor :: term()) -> {non_neg_integer(), Cursor :: term()}.
%% Removes the sessions expired or not touched in MaxLifetimeS.
-callback gc(MaxLifetimeS :: non_neg_integer()) -> non_neg_integer().
-callback size() -> non_neg_integer().
%% Gives a live session these tags too (those it has stay).
-callback tag(id(), [peb_session_tags:tag()]) -> ok.
%% A write and its tags as one operation (Mnesia: one replicated
%% transaction); without it, write/4 then tag/2.
-callback write_tagged(id(), binary(), LifetimeS :: non_neg_integer(), vsn(), [peb_session_tags:tag()]) -> ok.
%% The Raft store answers by tag in its machine: the ids of the live
%% sessions that carry a tag, and deleting them all (how many were live).
-callback tagged(peb_session_tags:tag()) -> [id()].
-callback destroy_tagged(peb_session_tags:tag()) -> non_neg_integer().
%% The stores of this node's own tables answer from their tag index, and
%% this module serves tagged/1 and destroy_tagged/1 over it, once for both:
%% the sessions that carry a tag (live or expired), a session's tags, and
%% whether the table holds a session (expired or not).
-callback tag_members(peb_session_tags:tag()) -> [id()].
-callback tags_of(id()) -> [peb_session_tags:tag()].
-callback present(id()) -> boolean().
-optional_callbacks([write_tagged/5, tagged/1, destroy_tagged/1, tag_members/1, tags_of/1, present/1]).

%% The module of the store in use, and its kind.
-define(KEY, {?MODULE, impl}).
-define(KIND, {?MODULE, kind}).

%% @doc Which store this node is configured for (application env `store').
-spec kind() -> ets | mnesia | raft.
kind() ->
    case application:get_env(peb_session, store, ets) of
        mnesia -> mnesia;
        raft -> raft;
        _ -> ets
    end.

%% @doc The store this node uses from now on: Module, of this kind. Loaded
%% here, so that its exports tell which optional callbacks it has.
-spec use(ets | mnesia | raft, module()) -> ok.
use(Kind, Module) ->
    {module, Module} = code:ensure_loaded(Module),
    persistent_term:put(?KEY, Module),
    persistent_term:put(?KIND, Kind).

-spec impl() -> module().
impl() ->
    persistent_term:get(?KEY).

%% The kind in use; a store started by version 5 or before (its code
%% upgraded under it) did not record it: the configured one.
-spec used() -> ets | mnesia | raft.
used() ->
    case persistent_term:get(?KIND, undefined) of
        undefined -> kind();
        Kind -> Kind
    end.

%% Whether the store in use has the optional callback F/A.
-spec has(module(), atom(), arity()) -> boolean().
has(Impl, F, A) ->
    erlang:function_exported(Impl, F, A).

%% @doc Whether a write waits for other nodes (the store in use is Mnesia's).
-spec replicated() -> boolean().
replicated() ->
    used() =:= mnesia.

%% @doc Whether the store in use is the Raft store, whose front serves the
%% requests, locks included.
-spec raft() -> boolean().
raft() ->
    used() =:= raft.

%% @doc Which store this is: the ETS table of one node's run, or the
%% cluster's table (its creation cookie). Grants carry it, so that a store
%% recognises the grants of another.
-spec id() -> term().
id() ->
    persistent_term:get({?MODULE, id}, undefined).

-spec set_id(term()) -> ok.
set_id(Id) ->
    persistent_term:put({?MODULE, id}, Id).

%% The callbacks, of the store in use.
-spec lookup(id()) -> {binary(), vsn()}.
lookup(Id) -> (impl()):lookup(Id).
-spec version(id()) -> vsn().
version(Id) -> (impl()):version(Id).
-spec is_live(id()) -> boolean().
is_live(Id) -> (impl()):is_live(Id).
-spec write(id(), binary(), non_neg_integer(), vsn()) -> ok.
write(Id, Data, LifetimeS, Vsn) ->
    ok = (impl()):write(Id, Data, LifetimeS, Vsn),
    written(Id).
-spec touch(id(), non_neg_integer()) -> ok.
touch(Id, LifetimeS) -> (impl()):touch(Id, LifetimeS).
-spec delete(id()) -> ok.
delete(Id) ->
    Tags = watched_tags(Id),
    ok = (impl()):delete(Id),
    notify(destroyed, Id, Tags).
-spec sweep(term()) -> {non_neg_integer(), term()}.
sweep(Cursor) -> expiring(fun() -> (impl()):sweep(Cursor) end).
-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetimeS) -> expiring(fun() -> (impl()):gc(MaxLifetimeS) end).
-spec size() -> non_neg_integer().
size() -> (impl()):size().

%% @doc A write with tags: one operation where the store has
%% write_tagged/5 (one replicated operation on Mnesia).
-spec write_tagged(id(), binary(), non_neg_integer(), vsn(), [peb_session_tags:tag()]) -> ok.
write_tagged(Id, Data, LifetimeS, Vsn, Tags) ->
    Impl = impl(),
    case has(Impl, write_tagged, 5) of
        true ->
            ok = Impl:write_tagged(Id, Data, LifetimeS, Vsn, Tags);
        false ->
            ok = Impl:write(Id, Data, LifetimeS, Vsn),
            ok = Impl:tag(Id, Tags)
    end,
    written(Id).
-spec tag(id(), [peb_session_tags:tag()]) -> ok.
tag(Id, Tags) -> (impl()):tag(Id, Tags).
-spec tagged(peb_session_tags:tag()) -> [id()].
tagged(Tag) ->
    Impl = impl(),
    case has(Impl, tagged, 1) of
        true -> Impl:tagged(Tag);
        false -> [Id || Id <- Impl:tag_members(Tag), Impl:is_live(Id)]
    end.

-spec destroy_tagged(peb_session_tags:tag()) -> non_neg_integer().
destroy_tagged(Tag) ->
    case peb_session_subs:active() of
        false ->
            delete_tagged(impl(), Tag);
        true ->
            Members = [{Id, tags_of(Id)} || Id <- members(Tag)],
            Count = delete_tagged(impl(), Tag),
            _ = [notify(destroyed, Id, Tags) || {Id, Tags} <- Members],
            Count
    end.

%% @doc The same for the sessions of Tag that Owns: a shard
%% (peb_session_shard) deletes the ids it owns, so that each id has one writer
%% (ETS and Mnesia; the Raft store's requests never reach a shard's store).
%% Each delete tells subscribers, as destroy_tagged/1 does.
-spec destroy_tagged(peb_session_tags:tag(), fun((id()) -> boolean())) -> non_neg_integer().
destroy_tagged(Tag, Owns) ->
    Ids = [Id || Id <- members(Tag), Owns(Id)],
    Live = length([Id || Id <- Ids, is_live(Id)]),
    lists:foreach(fun delete/1, Ids),
    Live.

%% Deletes the sessions of a tag; how many were live.
delete_tagged(Impl, Tag) ->
    case has(Impl, destroy_tagged, 1) of
        true ->
            Impl:destroy_tagged(Tag);
        false ->
            Ids = Impl:tag_members(Tag),
            Live = length([Id || Id <- Ids, Impl:is_live(Id)]),
            lists:foreach(fun(Id) -> ok = Impl:delete(Id) end, Ids),
            Live
    end.

%%--------------------------------------------------------------------
%% Subscribers (peb_session_subs)

written(Id) ->
    case peb_session_subs:active() of
        false -> ok;
        true -> peb_session_subs:notify(written, Id, tags_of(Id))
    end.

watched_tags(Id) ->
    case peb_session_subs:active() of
        false -> [];
        true -> tags_of(Id)
    end.

notify(Event, Id, Tags) ->
    case peb_session_subs:active() of
        false -> ok;
        true -> peb_session_subs:notify(Event, Id, Tags)
    end.

%% A sweep or gc: the sessions watched (by id or by tag) that it removed
%% are told as expired.
expiring(Remove) ->
    case peb_session_subs:active() of
        false ->
            Remove();
        true ->
            Ids = lists:usort(peb_session_subs:subscribed_ids()
                              ++ lists:append([members(T) || T <- peb_session_subs:subscribed_tags()])),
            Watched = [{Id, tags_of(Id)} || Id <- Ids, present(Id)],
            Result = Remove(),
            _ = [peb_session_subs:notify(expired, Id, Tags) || {Id, Tags} <- Watched, not present(Id)],
            Result
    end.

%% The stores' own views for subscribers; a store without them (the Raft
%% store: its machine tells its subscribers itself) has none here.
tags_of(Id) ->
    Impl = impl(),
    case has(Impl, tags_of, 1) of
        true -> Impl:tags_of(Id);
        false -> []
    end.

members(Tag) ->
    Impl = impl(),
    case has(Impl, tag_members, 1) of
        true -> Impl:tag_members(Tag);
        false -> []
    end.

present(Id) ->
    Impl = impl(),
    case has(Impl, present, 1) of
        true -> Impl:present(Id);
        false -> is_live(Id)
    end.

-spec now_ms() -> integer().
now_ms() ->
    erlang:system_time(millisecond).

%% @doc A version no other write will have: random, 56 bits, never 0. Not
%% unique_integer/1, which starts again with each node, while versions
%% outlive nodes in a replicated table.
-spec nonce() -> pos_integer().
nonce() ->
    rand:uniform(1 bsl 56).
