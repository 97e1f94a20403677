%% @doc The ETS store: sessions on one node, in the public table
%% `session_handler' as `{Id, Data, ExpiresAt, TouchedAt, Vsn}', owned by
%% the top supervisor. A record whose ExpiresAt has passed is never
%% returned, whether or not a sweep has removed it yet.
-module(peb_session_ets).
-behaviour(peb_session_store).
-compile(warn_missing_spec).

-export([create/0, take_over/0, restore/1]).
-export([lookup/1, version/1, is_live/1, write/4, touch/2, delete/1, sweep/1, gc/1, size/0]).

-define(TABLE, session_handler).
%% PHP's default session.gc_maxlifetime, for records of the 2009 store.
-define(CLASSIC_LIFETIME_S, 1440).

-spec create() -> ok.
create() ->
    ?TABLE = ets:new(?TABLE, [named_table, public, set,
                              {read_concurrency, true}, {write_concurrency, true}]),
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
    ok.

%% One select_delete over the table: ETS scans fast enough for one node.
-spec sweep(Cursor) -> {non_neg_integer(), Cursor}.
sweep(Cursor) ->
    Now = peb_session_store:now_ms(),
    {ets:select_delete(?TABLE, [{{'_', '_', '$1', '_', '_'}, [{'=<', '$1', Now}], [true]}]), Cursor}.

-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetimeS) ->
    Now = peb_session_store:now_ms(),
    Oldest = Now - MaxLifetimeS * 1000,
    ets:select_delete(?TABLE, [{{'_', '_', '$1', '$2', '_'},
                                [{'orelse', {'=<', '$1', Now}, {'<', '$2', Oldest}}],
                                [true]}]).

-spec size() -> non_neg_integer().
size() ->
    ets:info(?TABLE, size).

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
