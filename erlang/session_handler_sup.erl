%% @doc The supervisor of the session store, and the owner of its table.
%%
%% The ETS table `session_handler' is created here rather than in the
%% `session_handler' server so that the sessions survive a crash of the
%% server: the supervisor restarts the server, which finds the table as it
%% was (only the locks, which live in the server, are lost).
%%
%% The tree is started by session_handler:start/0, usually from a
%% short-lived rpc worker, which unlinks it at once.
-module(session_handler_sup).
-behaviour(supervisor).

-export([start_link/0]).
-export([init/1]).

-spec start_link() -> supervisor:startlink_ret().
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

-spec init([]) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init([]) ->
    session_handler = ets:new(session_handler, [named_table, public, set,
                                                {read_concurrency, true},
                                                {write_concurrency, true}]),
    use_local_group_leader(),
    Server = #{id => session_handler,
               start => {session_handler, start_link, []},
               restart => permanent,
               shutdown => 5000,
               type => worker,
               modules => [session_handler]},
    {ok, {#{strategy => one_for_one, intensity => 10, period => 10}, [Server]}}.

%% The tree inherits the group leader of the rpc caller, which may be a
%% process of the (PHP) node that asked; the tree outlives that node's
%% connection, so it takes the local node's instead.
use_local_group_leader() ->
    case whereis(user) of
        undefined -> ok;
        User -> true = group_leader(User, self()), ok
    end.
