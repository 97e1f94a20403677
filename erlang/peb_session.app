%% The session store of PHP's peb extension, as an OTP application.
%% store: ets (one node, the default) or mnesia (a replicated cluster, see
%% peb_session:create/1 and peb_session:join/2).
{application, peb_session,
 [{description, "PHP sessions for the peb extension: ETS or a Mnesia cluster"},
  {vsn, "2.0.0"},
  {modules, [peb_session, peb_session_app, peb_session_sup, peb_session_store,
             peb_session_ets, peb_session_mnesia, peb_session_cluster,
             peb_session_locks, session_handler]},
  {registered, [peb_session_sup, peb_session_cluster, session_handler]},
  {applications, [kernel, stdlib]},
  {mod, {peb_session_app, []}},
  {env, [{store, ets},
         {storage, ram},
         {join, []},
         {replication, sync},
         {sweep_interval_ms, 60000}]}]}.
