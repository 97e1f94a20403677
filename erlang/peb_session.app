%% The session store of PHP's peb extension, as an OTP application.
%% store: ets (one node, the default), mnesia (a replicated cluster, see
%% peb_session:create/1 and peb_session:join/2) or raft (a cluster on Ra,
%% whose beams must be on the code path: peb_session:create(raft)).
{application, peb_session,
 [{description, "PHP sessions for the peb extension: ETS, a Mnesia cluster or a Raft cluster"},
  {vsn, "2.0.0"},
  {modules, [peb_session, peb_session_app, peb_session_sup, peb_session_store,
             peb_session_ets, peb_session_mnesia, peb_session_cluster,
             peb_session_locks, session_handler,
             peb_session_raft, peb_session_raft_node, peb_session_raft_front,
             peb_session_tags, peb_session_php, peb_session_subs]},
  {registered, [peb_session_sup, peb_session_cluster, peb_session_raft_front, session_handler,
                peb_session_subs]},
  {applications, [kernel, stdlib]},
  {mod, {peb_session_app, []}},
  {env, [{store, ets},
         {storage, ram},
         {join, []},
         {replication, sync},
         {raft_sync, none},
         {raft_patience_ms, 3000},
         {sweep_interval_ms, 60000},
         {shards, 16}]}]}.
