%% @doc A registered process the tests talk to: it answers {From, Msg} with
%% {echo, self(), Msg} sent to From, and keeps the last other message it got.
-module(peb_echo).
-compile(warn_missing_spec).

-export([start/0, last/0]).

-spec start() -> ok.
start() ->
    case whereis(?MODULE) of
        undefined ->
            Caller = self(),
            Pid = spawn(fun() -> register(?MODULE, self()), Caller ! {self(), ready}, loop(none) end),
            receive {Pid, ready} -> ok after 5000 -> error(timeout) end;
        _ ->
            ok
    end.

%% @doc The last message that was not a {Pid, Msg} pair.
-spec last() -> term().
last() ->
    ?MODULE ! {last, self()},
    receive {last, Msg} -> Msg after 5000 -> timeout end.

loop(Last) ->
    receive
        {last, From} when is_pid(From) -> From ! {last, Last}, loop(Last);
        {From, Msg} when is_pid(From) -> From ! {echo, self(), Msg}, loop(Last);
        Other -> loop(Other)
    end.
