%% @doc This node's member of the Raft store: Ra's system (its log under
%% this node's data dir), the member itself (the server `peb_session_raft'
%% of the Ra cluster `peb_sessions', running peb_session_raft's machine),
%% and how it forms, joins or comes back to the cluster. Every call into
%% Ra's API is here or in peb_session_raft_front, and only API that Ra 2.2
%% (Debian 12) and the newer Ra of Debian 13 both have.
%%
%% Application env: `raft_dir' (the data dir; default `peb_raft.<node>' in
%% the working directory), `raft_sync' (the WAL's sync method: none, the
%% default, writes every entry to the WAL file before it counts, without
%% an fsync; datasync also waits for the disc) and `join' (the seeds; none
%% to create the cluster).
%%
%% A node whose data dir has a member restarts it, with its log: it keeps
%% its data and catches up from the leader. A node without one (a new
%% node, or one whose dir was wiped) joins through any seed: it is added
%% to the cluster (removed first when the cluster still counts it, wiped),
%% then started empty; the leader sends it the log or a snapshot.
-module(peb_session_raft_node).
-compile(warn_missing_spec).

-export([start/0, server_id/0, server_id/1, leader/0, majority/0, info/0, system/0, cluster/0]).

-define(SYSTEM, peb_session).
-define(CLUSTER, peb_sessions).
-define(NAME, peb_session_raft).
-define(RETRY_MS, 500).
-define(CALL_MS, 5000).

-type server_id() :: {atom(), node()}.
-export_type([server_id/0]).

-spec system() -> atom().
system() -> ?SYSTEM.

-spec cluster() -> atom().
cluster() -> ?CLUSTER.

-spec server_id() -> server_id().
server_id() -> server_id(node()).

-spec server_id(node()) -> server_id().
server_id(Node) -> {?NAME, Node}.

%% @doc The member that leads, as this node last heard; undefined if none.
-spec leader() -> server_id() | undefined.
leader() ->
    try ra_leaderboard:lookup_leader(?CLUSTER)
    catch error:badarg -> undefined    % Ra not started yet
    end.

%% @doc Whether this node is connected to a majority of the members (itself
%% counted), as this member last knew them: if not, nothing it is asked to
%% change can commit, and it says so at once (no_majority).
-spec majority() -> boolean().
majority() ->
    Members = try ra_leaderboard:lookup_members(?CLUSTER)
              catch error:badarg -> undefined
              end,
    case Members of
        [_ | _] ->
            Up = [N || {_, N} <- Members, N =:= node() orelse lists:member(N, nodes())],
            2 * length(Up) > length(Members);
        _ ->
            false
    end.

%% @doc Starts Ra's system and this node's member: restarted from its data
%% dir, or a new cluster of this node (no seeds), or joined through the
%% seeds. Returns once the member runs (it may not know a leader yet).
-spec start() -> ok.
start() ->
    ok = start_system(),
    Me = server_id(),
    case ra:restart_server(?SYSTEM, Me) of
        ok -> ok;
        {error, {already_started, _}} -> ok;
        {error, _NotThere} -> fresh(application:get_env(peb_session, join, []))
    end.

start_system() ->
    _ = code:which(ra) =/= non_existing orelse
        exit({ra_not_found, "the raft store needs Ra's beams on the code path (docs/cluster.md)"}),
    {ok, _} = application:ensure_all_started(ra),
    Dir = data_dir(),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Config = maps:merge(ra_system:default_config(),
                        #{name => ?SYSTEM,
                          names => ra_system:derive_names(?SYSTEM),
                          data_dir => Dir,
                          wal_data_dir => Dir,
                          wal_sync_method => application:get_env(peb_session, raft_sync, none)}),
    case ra_system:start(Config) of
        {ok, _} -> ok;
        {error, {already_started, _}} -> ok
    end.

data_dir() ->
    case application:get_env(peb_session, raft_dir) of
        {ok, Dir} when Dir =/= undefined -> Dir;
        _ -> filename:absname("peb_raft." ++ atom_to_list(node()))
    end.

machine() ->
    {module, peb_session_raft, #{}}.

%% A new cluster of this node alone; others join it. The store's id, which
%% grants carry, is the first command.
fresh([]) ->
    Me = server_id(),
    {ok, [Me], []} = ra:start_cluster(?SYSTEM, ?CLUSTER, machine(), [Me]),
    Id = {node(), erlang:system_time(microsecond), rand:uniform(1 bsl 32)},
    {ok, _, _} = ra:process_command(Me, {create, Id}, ?CALL_MS),
    ok;
fresh(Seeds) ->
    join(Seeds).

%% Keeps trying until a seed's member answers: the cluster may be starting
%% too, or changing its members for another node that joins.
join(Seeds) ->
    Me = server_id(),
    case members(Seeds) of
        {ok, Members, Leader} ->
            case lists:member(Me, Members) of
                true ->
                    %% The cluster counts a member here that has no log:
                    %% this node was wiped. It leaves, then joins anew.
                    _ = ra:remove_member(Leader, Me, ?CALL_MS),
                    retry(Seeds);
                false ->
                    case ra:add_member(Leader, Me, ?CALL_MS) of
                        {ok, _, _} ->
                            ok = ra:start_server(?SYSTEM, ?CLUSTER, Me, machine(), Members ++ [Me]);
                        Error ->
                            logger:notice("peb_session: joining the raft cluster: ~p; trying again", [Error]),
                            retry(Seeds)
                    end
            end;
        none ->
            retry(Seeds)
    end.

retry(Seeds) ->
    timer:sleep(?RETRY_MS),
    join(Seeds).

members([]) ->
    none;
members([Seed | Rest]) ->
    case ra:members(server_id(Seed), ?CALL_MS) of
        {ok, Members, Leader} when Leader =/= undefined -> {ok, Members, Leader};
        _ -> members(Rest)
    end.

%% @doc What an operator wants to know, from this node: status (ok when a
%% leader is known), the leader's node, the members' nodes, those running
%% as this node sees them, and this member's Raft state and counts.
-spec info() -> map().
info() ->
    Me = server_id(),
    %% This member's own view (the third element is this member, not the leader).
    Nodes = case ra:members({local, Me}, ?CALL_MS) of
                {ok, Ms, _} -> [N || {_, N} <- Ms];
                _ -> []
            end,
    Leader = leader(),
    Running = [N || N <- Nodes, N =:= node() orelse lists:member(N, nodes())],
    State = case ra:ping(Me, ?CALL_MS) of
                {pong, S} -> S;
                Other -> Other
            end,
    Overview = case ra:local_query(Me, fun peb_session_raft:overview/1, ?CALL_MS) of
                   {ok, {_, O}, _} -> O;
                   _ -> #{}
               end,
    Serving = Leader =/= undefined andalso (State =:= leader orelse State =:= follower),
    Status = case {majority(), Serving} of
                 {false, _} -> no_majority;
                 {true, false} -> no_leader;
                 {true, true} -> ok
             end,
    Overview#{status => Status,
              leader => case Leader of {_, LN} -> LN; _ -> undefined end,
              nodes => Nodes,
              running => Running,
              raft_state => State,
              copy => case lists:member(node(), Nodes) of true -> raft; false -> unknown end,
              storage => list_to_atom("raft_" ++ atom_to_list(application:get_env(peb_session, raft_sync, none)))}.
