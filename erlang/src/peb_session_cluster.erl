%% @doc Membership of the Mnesia store's cluster, on one node: starts
%% Mnesia, creates or joins the cluster, loads the table, and publishes
%% this node's view of it, which every request reads (status/0, leader/0).
%%
%% Majority rule: a node that sees no more than half of the cluster's nodes
%% (Mnesia's db_nodes) running refuses writes and locks (no_majority), so
%% that in a network partition only the majority side changes sessions.
%% After the partition, Mnesia does not merge the two sides by itself; the
%% node that was in the minority restarts its Mnesia and copies the table
%% from the others, so it catches up with what the majority wrote.
%%
%% The lock leader is the first running node (in term order) of a majority.
-module(peb_session_cluster).
-behaviour(gen_server).
-compile(warn_missing_spec).

-export([start_link/0, status/0, leader/0, info/0, publish_default/1]).
-export([init/1, handle_continue/2, handle_call/3, handle_cast/2, handle_info/2]).

-define(VIEW, {?MODULE, view}).
-define(TABLE, peb_session).
-define(WAIT_STEP_MS, 5000).

-type storage() :: ram_copies | disc_copies.
%% What this node's view is: ok when it may change sessions, and the leader.
-type view() :: #{status := ok | not_ready | no_majority, leader := node() | undefined}.
%% minority: this node was cut off from the majority (see refresh/1).
-type state() :: #{storage := storage(), seeds := [node()], minority := boolean()}.

%% @doc ok when this node may change sessions; otherwise why not.
-spec status() -> ok | not_ready | no_majority.
status() ->
    maps:get(status, view()).

%% @doc The node whose server grants the locks; undefined without a majority.
-spec leader() -> node() | undefined.
leader() ->
    maps:get(leader, view()).

%% @doc What an operator wants to know about the cluster, from this node.
-spec info() -> map().
info() ->
    case whereis(?MODULE) of
        undefined -> view();
        _ -> gen_server:call(?MODULE, info)
    end.

-spec view() -> view().
view() ->
    persistent_term:get(?VIEW, #{status => ok, leader => node()}).

%% @doc Called as the store starts: the ETS store is always its own leader;
%% the Mnesia store serves nothing until its table is loaded. The Raft
%% store has no view of this kind: its front serves every request, its
%% leader is Ra's (nothing here leads, nor sweeps).
-spec publish_default(ets | mnesia | raft) -> ok.
publish_default(ets) -> publish(#{status => ok, leader => node()});
publish_default(mnesia) -> publish(#{status => not_ready, leader => undefined});
publish_default(raft) -> publish(#{status => ok, leader => undefined}).

-spec publish(view()) -> ok.
publish(View) ->
    case persistent_term:get(?VIEW, undefined) of
        View -> ok;
        _ -> persistent_term:put(?VIEW, View)
    end.

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%%--------------------------------------------------------------------

-spec init([]) -> {ok, state(), {continue, start}}.
init([]) ->
    Storage = case application:get_env(peb_session, storage, ram) of
                  disc -> disc_copies;
                  _ -> ram_copies
              end,
    Seeds = application:get_env(peb_session, join, []),
    {ok, #{storage => Storage, seeds => Seeds, minority => false}, {continue, start}}.

-spec handle_continue(start, state()) -> {noreply, state()}.
handle_continue(start, S = #{storage := Storage, seeds := Seeds}) ->
    ok = start_mnesia(Storage, Seeds),
    {ok, _} = mnesia:subscribe(system),
    ok = join(Storage, Seeds),
    ok = join_tags(Storage),
    ok = wait_for_table(),
    ok = peb_session_store:set_id({mnesia, mnesia:table_info(?TABLE, cookie)}),
    {noreply, refresh(S)}.

-spec handle_call(term(), gen_server:from(), state()) -> {reply, term(), state()}.
handle_call(info, _From, S = #{storage := Storage}) ->
    Info = (view())#{storage => Storage,
                     copy => copy(),
                     nodes => mnesia:system_info(db_nodes),
                     running => mnesia:system_info(running_db_nodes),
                     sessions => mnesia:table_info(?TABLE, size)},
    {reply, Info, S};
handle_call(_Request, _From, S) ->
    {reply, {error, badarg}, S}.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info({mnesia_system_event, {inconsistent_database, _Context, Node}}, S) ->
    {noreply, heal(Node, S)};
handle_info({mnesia_system_event, _Event}, S) ->
    {noreply, refresh(S)};
handle_info(_Msg, S) ->
    {noreply, S}.

%%--------------------------------------------------------------------
%% Joining

%% A disc node needs a schema on disc, created before Mnesia starts; a node
%% that joins gets its schema from the cluster instead.
start_mnesia(disc_copies, []) ->
    case mnesia:create_schema([node()]) of
        ok -> ok;
        {error, {_, {already_exists, _}}} -> ok
    end,
    ok = mnesia:start();
start_mnesia(_Storage, _Seeds) ->
    ok = mnesia:start().

join(Storage, []) ->
    case mnesia:create_table(?TABLE, peb_session_mnesia:table_options(Storage)) of
        {atomic, ok} -> ok;
        {aborted, {already_exists, ?TABLE}} -> ok
    end;
join(Storage, Seeds) ->
    ok = connect(Seeds),
    ok = disc_schema(Storage),
    add_copy(Storage).

%% The tag table (peb_session_mnesia), beside the sessions' with the same
%% storage: made by the first node that lacks it (also in a cluster made
%% by a version without tags), copied by the others.
join_tags(Storage) ->
    Tab = peb_session_mnesia:tag_table(),
    Done = case lists:member(Tab, mnesia:system_info(tables)) of
               false -> mnesia:create_table(Tab, peb_session_mnesia:tag_table_options(Storage));
               true -> has_copy(Tab) orelse mnesia:add_table_copy(Tab, node(), Storage)
           end,
    case Done of
        true -> ok;
        {atomic, ok} -> ok;
        {aborted, {already_exists, Tab}} -> join_tags(Storage);
        {aborted, {already_exists, Tab, _}} -> ok;
        {aborted, Why} ->
            logger:notice("peb_session: the tag table failed (~p); trying again", [Why]),
            timer:sleep(500),
            join_tags(Storage)
    end.

%% A disc node back has its copy in its schema already. Nodes that join at
%% the same moment may abort each other's schema change: try again.
add_copy(Storage) ->
    case has_copy() orelse mnesia:add_table_copy(?TABLE, node(), Storage) of
        true -> ok;
        {atomic, ok} -> ok;
        {aborted, {already_exists, ?TABLE, _}} -> ok;
        {aborted, Why} ->
            logger:notice("peb_session: copying the table failed (~p); trying again", [Why]),
            timer:sleep(500),
            add_copy(Storage)
    end.

has_copy() ->
    has_copy(?TABLE).

has_copy(Tab) ->
    case copy(Tab) of
        Type when Type =:= ram_copies; Type =:= disc_copies -> true;
        _ -> false
    end.

%% This node's copy of the table as Mnesia has it: unknown for none (yet).
copy() ->
    copy(?TABLE).

copy(Tab) ->
    try
        mnesia:table_info(Tab, storage_type)
    catch
        _:_ -> unknown
    end.

%% Keeps trying until one seed answers: the cluster may be starting too.
connect(Seeds) ->
    case mnesia:change_config(extra_db_nodes, Seeds) of
        {ok, [_ | _]} ->
            ok;
        _ ->
            case lists:member(node(), mnesia:system_info(running_db_nodes))
                 andalso length(mnesia:system_info(db_nodes)) > 1 of
                true -> ok;     % a disc node that knows its cluster already
                false -> timer:sleep(500), connect(Seeds)
            end
    end.

disc_schema(disc_copies) ->
    case mnesia:table_info(schema, storage_type) =:= disc_copies
         orelse mnesia:change_table_copy_type(schema, node(), disc_copies) of
        true -> ok;
        {atomic, ok} -> ok;
        {aborted, Why} ->
            logger:notice("peb_session: a disc schema failed (~p); trying again", [Why]),
            timer:sleep(500),
            disc_schema(disc_copies)
    end;
disc_schema(_) ->
    ok.

wait_for_table() ->
    case mnesia:wait_for_tables([?TABLE, peb_session_mnesia:tag_table()], ?WAIT_STEP_MS) of
        ok -> ok;
        {timeout, _} -> wait_for_table()
    end.

%%--------------------------------------------------------------------
%% The view

refresh(S) ->
    Running = mnesia:system_info(running_db_nodes),
    All = mnesia:system_info(db_nodes),
    Majority = lists:member(node(), Running) andalso 2 * length(Running) > length(All),
    publish(case Majority of
                true -> #{status => ok, leader => lists:min(Running)};
                false -> #{status => no_majority, leader => undefined}
            end),
    %% After a partition Mnesia does not count the other side as running
    %% again until one side restarts, so a node cut off stays in the
    %% minority until it heals; one that regained a majority (nodes that
    %% crashed came back) has nothing to throw away.
    S#{minority := not Majority}.

%% Mnesia met a node again after a partition. The side that had no
%% majority wrote nothing meanwhile: it restarts its Mnesia and takes the
%% table from the others. The majority side keeps going.
heal(Node, S = #{minority := false}) ->
    logger:notice("peb_session: ~p is back after a partition; it takes this side's sessions", [Node]),
    refresh(S);
heal(Node, S = #{storage := Storage}) ->
    logger:notice("peb_session: back from a partition in the minority; copying sessions from ~p", [Node]),
    publish_default(mnesia),
    Others = [N || N <- mnesia:system_info(db_nodes), N =/= node()],
    _ = [mnesia:set_master_nodes(T, [Node]) || T <- [?TABLE, peb_session_mnesia:tag_table()]],
    stopped = mnesia:stop(),
    ok = mnesia:start(),
    {ok, _} = mnesia:subscribe(system),
    ok = connect(Others),
    ok = disc_schema(Storage),
    ok = wait_for_table(),
    _ = [mnesia:set_master_nodes(T, []) || T <- [?TABLE, peb_session_mnesia:tag_table()]],
    refresh(S#{minority := false}).
