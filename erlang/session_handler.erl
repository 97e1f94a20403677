%% @doc The ETS session store of the 2009 article "Erlang as Session
%% Storage for PHP": one public table, owned by a process of its own so that
%% it outlives the caller that started it (an rpc from PHP runs in a
%% short-lived process). Ids and data may be strings (what peb's ~s sends)
%% or binaries; data is kept as a binary.
%%
%% In the node's shell: c(session_handler). session_handler:start().
-module(session_handler).

-export([start/0, stop/0, read/1, write/2, destroy/1, gc/1]).

-define(TABLE, ?MODULE).

%% @doc Starts the table's owner; does nothing when it already runs.
-spec start() -> ok.
start() ->
    case whereis(?MODULE) of
        undefined ->
            Caller = self(),
            Pid = spawn(fun() -> init(Caller) end),
            receive
                {Pid, ready} -> ok;
                {Pid, already_started} -> ok
            after 5000 -> error(timeout)
            end;
        _ ->
            ok
    end.

-spec stop() -> ok.
stop() ->
    case whereis(?MODULE) of
        undefined -> ok;
        Pid -> Pid ! stop, ok
    end.

%% @doc The session's data, or <<>> when there is none.
-spec read(iodata()) -> binary().
read(Id) ->
    case ets:lookup(?TABLE, key(Id)) of
        [{_, Data, _}] -> Data;
        [] -> <<>>
    end.

-spec write(iodata(), iodata()) -> ok.
write(Id, Data) ->
    true = ets:insert(?TABLE, {key(Id), iolist_to_binary(Data), erlang:system_time(second)}),
    ok.

-spec destroy(iodata()) -> ok.
destroy(Id) ->
    true = ets:delete(?TABLE, key(Id)),
    ok.

%% @doc Removes sessions written more than MaxLifetime seconds ago; returns how many.
-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetime) when is_integer(MaxLifetime), MaxLifetime >= 0 ->
    Oldest = erlang:system_time(second) - MaxLifetime,
    ets:select_delete(?TABLE, [{{'_', '_', '$1'}, [{'<', '$1', Oldest}], [true]}]).

key(Id) when is_binary(Id) -> Id;
key(Id) when is_list(Id) -> iolist_to_binary(Id).

init(Caller) ->
    try register(?MODULE, self()) of
        true ->
            ?TABLE = ets:new(?TABLE, [named_table, public, set, {read_concurrency, true}]),
            Caller ! {self(), ready},
            loop()
    catch
        error:badarg -> Caller ! {self(), already_started}
    end.

loop() ->
    receive
        stop -> ok;
        _ -> loop()
    end.
