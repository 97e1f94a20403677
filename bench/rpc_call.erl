%% @doc The Erlang side of bench/rpc: rpc:call of erlang:node/0 from one
%% node to another, and a raw message round trip, each as microseconds per
%% call over N calls (best of 3 rounds).
-module(rpc_call).
-export([main/1]).

main([NodeS, NS]) ->
    Node = list_to_atom(NodeS),
    N = list_to_integer(NS),
    pong = net_adm:ping(Node),
    Rpc = best(fun() -> [rpc:call(Node, erlang, node, []) || _ <- lists:seq(1, N)] end, N),
    Echo = {peb_echo, Node},
    Msg = best(fun() -> [begin Echo ! {self(), x}, receive {echo, _, x} -> ok end end || _ <- lists:seq(1, N)] end, N),
    io:format("~.2f ~.2f~n", [Rpc, Msg]),
    halt().

best(F, N) ->
    lists:min([begin
                   T0 = erlang:monotonic_time(nanosecond),
                   F(),
                   (erlang:monotonic_time(nanosecond) - T0) / N / 1000
               end || _ <- [1, 2, 3]]).
