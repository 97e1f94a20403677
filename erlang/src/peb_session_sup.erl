%% @doc The top supervisor. With the ETS store it owns the table, so that
%% the sessions outlive a crash of the server (only the locks, which live in
%% the server, are lost). With the Mnesia store, peb_session_cluster comes
%% first: it starts Mnesia, joins the cluster and loads the table. With the
%% Raft store, peb_session_raft_front: it starts this node's Ra member.
%% peb_session_subs (change notifications) comes before session_handler.
-module(peb_session_sup).
-behaviour(supervisor).
-compile(warn_missing_spec).

-export([start_link/0, init/1]).

-spec start_link() -> supervisor:startlink_ret().
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

-spec init([]) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init([]) ->
    Kind = peb_session_store:kind(),
    ok = peb_session_store:use(Kind, store(Kind)),
    ok = peb_session_cluster:publish_default(Kind),
    Children = case Kind of
                   ets ->
                       ok = peb_session_ets:create(),
                       [worker(peb_session_subs), worker(session_handler)];
                   mnesia ->
                       [worker(peb_session_cluster), worker(peb_session_subs), worker(session_handler)];
                   raft ->
                       %% Before the member starts (in the front): the
                       %% member sends it the news of each command.
                       [worker(peb_session_subs), worker(peb_session_raft_front), worker(session_handler)]
               end,
    %% rest_for_one: a restarted cluster process (Mnesia restarted under it)
    %% restarts the server, whose locks then start afresh too.
    {ok, {#{strategy => rest_for_one, intensity => 10, period => 10}, Children}}.

%% The module that implements the store of each kind (peb_session_store's
%% behaviour).
-spec store(ets | mnesia | raft) -> module().
store(ets) -> peb_session_ets;
store(mnesia) -> peb_session_mnesia;
store(raft) -> peb_session_raft_front.

worker(Module) ->
    #{id => Module,
      start => {Module, start_link, []},
      restart => permanent,
      shutdown => 5000,
      type => worker,
      modules => [Module]}.
