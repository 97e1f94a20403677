%% @doc What the session server's EUnit tests wait for: releases and
%% 'DOWN' messages are asynchronous to a test, so it polls the server's
%% stats until they say what it expects; and crashes a test causes on
%% purpose are kept out of the output.
-module(peb_test_wait).
-compile(warn_missing_spec).

-export([until/1, stats/2, no_leak/0, quietly/1]).

%% @doc Polls Fun every 20 ms until it is true; fails the test after 2 s.
-spec until(fun(() -> boolean())) -> ok.
until(Fun) ->
    until(Fun, 100).

until(Fun, 0) ->
    case Fun() of
        true -> ok;
        false -> erlang:error({still_not_true, erlang:fun_info(Fun, name)})
    end;
until(Fun, N) ->
    case Fun() of
        true -> ok;
        false -> timer:sleep(20), until(Fun, N - 1)
    end.

%% @doc Until session_handler:stats/0 says Value for Key.
-spec stats(atom(), non_neg_integer()) -> ok.
stats(Key, Value) ->
    until(fun() -> maps:get(Key, session_handler:stats()) =:= Value end).

%% @doc Until no lock, waiter or monitor is left.
-spec no_leak() -> ok.
no_leak() ->
    until(fun() ->
                  case session_handler:stats() of
                      #{locks := 0, waiters := 0, monitors := 0} -> true;
                      _ -> false
                  end
          end).

%% @doc Runs Fun with the logger silent (a supervisor's crash report).
-spec quietly(fun(() -> T)) -> T.
quietly(Fun) ->
    #{level := Level} = logger:get_primary_config(),
    ok = logger:set_primary_config(level, none),
    try Fun()
    after logger:set_primary_config(level, Level)
    end.
