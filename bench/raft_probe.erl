%% @doc What one Raft commit costs, beside what a round trip to the other
%% members costs, measured on the leader of a running Raft store
%% (bench/cluster loads this module there): a write committed through Ra
%% (ra:process_command: appended to the leader's log, replicated to a
%% majority, applied) against a consistent query (the leader asks the
%% members whether it still leads: a round trip to a majority, without the
%% log), and a local query (no message at all). The difference between
%% the first two is the price of the logs on the path of a commit.
-module(raft_probe).
-compile(warn_missing_spec).

-export([run/1]).

-spec run(pos_integer()) -> [{string(), float()}].
run(N) ->
    Leader = peb_session_raft_node:leader(),
    Size = fun(S) -> peb_session_raft:size(S) end,
    Data = binary:copy(<<"x">>, 1024),
    [{"commit of a 1 KB write (ra:process_command)",
      per_call(N, fun() -> {ok, _, _} = ra:process_command(Leader, {write, <<"raft_probe">>, 0, Data, 60}) end)},
     {"round trip to a majority (ra:consistent_query)",
      per_call(N, fun() -> {ok, _, _} = ra:consistent_query(Leader, Size) end)},
     {"local query (ra:local_query)",
      per_call(N, fun() -> {ok, _, _} = ra:local_query(Leader, Size) end)}].

%% Microseconds per call, after one call to warm up.
per_call(N, Call) ->
    _ = Call(),
    {Us, _} = timer:tc(fun() -> repeat(N, Call) end),
    Us / N.

repeat(0, _Call) -> ok;
repeat(N, Call) -> _ = Call(), repeat(N - 1, Call).
