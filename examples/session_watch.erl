%% @doc Prints who logs in and out of the demo app (examples/app) as it
%% happens, from inside the session node: a login tags the session
%% `logged_in' (and `user:<name>'), so this process subscribes to that tag
%% (peb_session:subscribe/1), reads a new session's user with
%% peb_session:read_decoded/1, and hears of its destroy (logout, "log out
%% everywhere") or expiry. No call into PHP: the store has it all.
%%
%% In the node that holds the sessions (the ETS store of scripts/start):
%%   c("examples/session_watch.erl"), session_watch:start().
%% prints lines such as
%%   12:03:41 login   Ada (session peb3f0c...)
%%   12:05:02 logout  Ada (destroyed)
-module(session_watch).
-compile(warn_missing_spec).

-export([start/0, stop/0, init/0]).

-spec start() -> pid().
start() ->
    Pid = spawn(?MODULE, init, []),
    true = register(?MODULE, Pid),
    Pid.

-spec stop() -> ok.
stop() ->
    ?MODULE ! stop,
    ok.

-spec init() -> ok.
init() ->
    ok = peb_session:subscribe({tag, <<"logged_in">>}),
    loop(#{}).

%% Who is in: session id => user name.
loop(In) ->
    receive
        {peb_session, written, Id, {tag, _}} when is_map_key(Id, In) ->
            loop(In);
        {peb_session, written, Id, {tag, _}} ->
            User = user(Id),
            say("login  ", User, ["session ", Id]),
            loop(In#{Id => User});
        {peb_session, Why, Id, {tag, _}} when Why =:= destroyed; Why =:= expired ->
            {User, Rest} = case maps:take(Id, In) of
                               error -> {<<"?">>, In};
                               Taken -> Taken
                           end,
            say("logout ", User, [atom_to_list(Why)]),
            loop(Rest);
        stop ->
            ok
    end.

user(Id) ->
    case peb_session:read_decoded(Id) of
        {ok, #{<<"user">> := User}} when is_binary(User) -> User;
        _ -> <<"?">>
    end.

say(What, User, Note) ->
    {_, {H, M, S}} = calendar:local_time(),
    io:format("~2..0b:~2..0b:~2..0b ~s ~ts (~s)~n", [H, M, S, What, User, Note]).
