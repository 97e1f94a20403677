%% @doc The load generator of bench/shards: Clients processes on this node,
%% each cycling a session of its own on the store node exactly as the
%% extension does (a raw `{'$gen_call', {Pid, peb}, Request}': the read
%% with the lock, then the write under it, Size bytes), over distribution.
%% To `pid': each request straight to its shard's pid, as the extension
%% sends it to a node of version 5; to `name': to the registered
%% session_handler, as older extensions did (with one shard, the one
%% server of before). Counts the cycles of a window after a warm-up, and
%% the CPU the store's and this node's OS processes spent meanwhile.
-module(shards_load).
-compile(warn_missing_spec).

-export([run/5]).

-define(WARMUP_MS, 1000).

-spec run(node(), pid | name, pos_integer(), pos_integer(), pos_integer()) ->
          #{cycles_s := float(), store_cpu_us := float(), gen_cpu_us := float(),
            shards := pos_integer(), schedulers := pos_integer()}.
run(Store, Way, Clients, WindowMs, Size) ->
    {ok, _} = rpc:call(Store, session_handler, ensure, []),
    {N, Pids, _Router} = rpc:call(Store, session_handler, shards, []),
    Schedulers = rpc:call(Store, erlang, system_info, [schedulers_online]),
    StoreOs = rpc:call(Store, os, getpid, []),
    Count = counters:new(1, [write_concurrency]),
    Data = binary:copy(<<"x">>, Size),
    Workers = [spawn_link(fun() -> client(dest(Store, Way, N, Pids, Id), Id, Data, Count) end)
               || I <- lists:seq(1, Clients), Id <- [<<"bench-shards-", (integer_to_binary(I))/binary>>]],
    timer:sleep(?WARMUP_MS),
    {C0, S0, G0} = {counters:get(Count, 1), cpu_us(StoreOs), cpu_us(os:getpid())},
    T0 = erlang:monotonic_time(microsecond),
    timer:sleep(WindowMs),
    {C1, S1, G1} = {counters:get(Count, 1), cpu_us(StoreOs), cpu_us(os:getpid())},
    T1 = erlang:monotonic_time(microsecond),
    [begin unlink(W), exit(W, kill) end || W <- Workers],
    Cycles = max(C1 - C0, 1),
    #{cycles_s => Cycles * 1.0e6 / (T1 - T0),
      store_cpu_us => (S1 - S0) / Cycles,
      gen_cpu_us => (G1 - G0) / Cycles,
      shards => N,
      schedulers => Schedulers}.

dest(Store, name, _N, _Pids, _Id) ->
    {session_handler, Store};
dest(_Store, pid, N, Pids, Id) ->
    element(erlang:crc32(Id) rem N + 1, Pids).

client(Dest, Id, Data, Count) ->
    Dest ! {'$gen_call', {self(), peb}, {read, Id, {lock, self(), 10000, 30000}}},
    Token = receive {peb, {ok, _, T}} -> T end,
    Dest ! {'$gen_call', {self(), peb}, {write, Id, Token, Data, 1440}},
    receive {peb, ok} -> ok end,
    ok = counters:add(Count, 1, 1),
    client(Dest, Id, Data, Count).

%% User and system CPU of an OS process, from /proc (clock ticks of 10 ms).
cpu_us(OsPid) ->
    {ok, Stat} = file:read_file("/proc/" ++ OsPid ++ "/stat"),
    [_, AfterComm] = binary:split(Stat, <<") ">>),
    Fields = binary:split(AfterComm, <<" ">>, [global]),
    Ticks = binary_to_integer(lists:nth(12, Fields)) + binary_to_integer(lists:nth(13, Fields)),
    Ticks * 10000.
