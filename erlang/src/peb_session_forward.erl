%% @doc A shard's locks under a leader: with the Mnesia store, one node's
%% shard I leads the locks of shard I's ids for the whole cluster (the
%% first running node of a majority, peb_session_cluster:leader/0), and the
%% other nodes' shard I forward their lock requests to it and relay its
%% replies, as PHP is connected to them, not to the leader. With the ETS
%% store every shard leads its own.
%%
%% Functions over the shard's state (peb_session_shard: its `leader',
%% `pending' and `watched' fields, and the lock table in `locks'), called
%% from the shard's callbacks: they are its process, in a module of their
%% own so that the shard keeps to serving requests.
%%
%% A forwarded request is `{forward, Front, Ref, Request}' to the leader's
%% process of the same name (peb_session_shard:name/1: every node names its
%% shards alike; a peer of an older version sends to session_handler, whose
%% router passes it on); the leader answers `{{fwd, Ref}, Reply}'. The
%% forwarding shard watches the holder for the leader, which cannot reach
%% it, and tells it `{holder_down, Holder}'. While the cluster has no
%% leader, forwarded requests wait, and go to the next one once there is.
-module(peb_session_forward).
-compile(warn_missing_spec).

-export([route/3, lead_safely/4, lead_forwarded/4, relay/3, retry/1, down/3]).

-define(LOCKS, peb_session_locks).
%% How long a forwarded request is retried while the cluster elects a leader.
-define(FORWARD_PATIENCE_MS, 30000).

-type state() :: peb_session_shard:state().

%% @doc A lock request: led here when this node leads, else forwarded.
-spec route(peb_session_locks:request(), ?LOCKS:from(), state()) -> state().
route(Request, From, S) ->
    case peb_session_cluster:leader() of
        Node when Node =:= node() ->
            lead(Request, From, local, S);
        undefined ->
            ?LOCKS:reply(From, {error, no_leader}),
            S;
        Node ->
            forward(Node, Request, From, erlang:monotonic_time(millisecond), S)
    end.

%% This server leads: the lock table serves the request.
-spec lead(peb_session_locks:request(), ?LOCKS:from(), peb_session_locks:via(), state()) -> state().
lead(Request, From, Via, S = #{locks := Locks}) ->
    S#{locks := ?LOCKS:lead(Request, From, Via, Locks)}.

%% @doc lead/4, where the store's table can be away for a moment (Mnesia
%% loading it, or restarted after a partition): the request then fails
%% with a reply that sends PHP to another node, and the shard stays up.
-spec lead_safely(peb_session_locks:request(), ?LOCKS:from(), peb_session_locks:via(), state()) -> state().
lead_safely(Request, From, Via, S) ->
    try lead(Request, From, Via, S)
    catch
        exit:{aborted, _} ->
            ?LOCKS:reply(From, {error, not_ready}),
            S
    end.

%% @doc The leader's side: a peer's shard Front forwarded Request.
-spec lead_forwarded(pid(), reference(), peb_session_locks:request(), state()) -> state().
lead_forwarded(Front, Ref, Request, S = #{locks := Locks}) ->
    lead_safely(Request, {Front, {fwd, Ref}}, {via, Front}, S#{locks := ?LOCKS:watch_front(Front, Locks)}).

%% @doc The leader's reply to a forwarded request, relayed to its caller.
-spec relay(reference(), term(), state()) -> state().
relay(Ref, Reply, S = #{pending := Pending}) ->
    case maps:take(Ref, Pending) of
        {{From, _, _}, Rest} ->
            ?LOCKS:reply(From, Reply),
            S#{pending := Rest};
        error ->
            S
    end.

%% The holder's connection ends here, so this server watches it for the
%% leader, which cannot reach it.
-spec forward(node(), peb_session_locks:request(), ?LOCKS:from(), integer(), state()) -> state().
forward(Node, Request, From, Since, S0) ->
    S = watch_holder(Request, follow_leader(Node, S0)),
    Ref = make_ref(),
    {peb_session_shard:name(S), Node} ! {forward, self(), Ref, Request},
    S#{pending := maps:put(Ref, {From, Request, Since}, maps:get(pending, S))}.

follow_leader(Node, S = #{leader := {Node, _}}) ->
    S;
follow_leader(Node, S = #{leader := Old}) ->
    _ = case Old of
            {_, OldRef} -> demonitor(OldRef, [flush]);
            none -> true
        end,
    S#{leader := {Node, monitor(process, {peb_session_shard:name(S), Node})}}.

watch_holder({read, _, {lock, Holder, _, _}}, S = #{watched := Watched}) ->
    case Watched of
        #{Holder := _} -> S;
        #{} -> S#{watched := Watched#{Holder => monitor(process, Holder)}}
    end;
watch_holder(_, S) ->
    S.

%% The leader went down (or away): what was forwarded to it goes to the
%% next one, once the cluster has one.
leader_down(S = #{pending := Pending}) ->
    _ = map_size(Pending) > 0 andalso erlang:send_after(50, self(), retry_forwards),
    S#{leader := none}.

%% @doc The requests forwarded to a leader that went go to the next one
%% (`retry_forwards', sent to the shard itself); a request that waited
%% longer than any PHP timeout is dropped.
-spec retry(state()) -> state().
retry(S0 = #{pending := Pending}) ->
    Now = erlang:monotonic_time(millisecond),
    {Expired, Live} = lists:partition(fun({_, _, Since}) -> Now - Since > ?FORWARD_PATIENCE_MS end,
                                      maps:values(Pending)),
    [?LOCKS:reply(From, {error, no_leader}) || {From, _, _} <- Expired],
    S = S0#{pending := #{}},
    case peb_session_cluster:leader() of
        undefined when Live =:= [] ->
            S;
        undefined ->
            %% No leader yet: one more round for them all, in a moment.
            erlang:send_after(100, self(), retry_forwards),
            S#{pending := maps:from_list([{make_ref(), P} || P <- Live])};
        Node ->
            lists:foldl(fun({From, Request, Since}, Acc) -> redispatch(Node, From, Request, Since, Acc) end,
                        S, Live)
    end.

redispatch(Node, From, Request, _Since, S) when Node =:= node() ->
    lead_safely(Request, From, local, S);
redispatch(Node, From, Request, Since, S) ->
    forward(Node, Request, From, Since, S).

%% @doc A monitor of this module's fired: a holder watched for the leader
%% (it is told), or the leader itself.
-spec down(reference(), pid(), state()) -> state().
down(Ref, Pid, S = #{watched := Watched, leader := Leader}) ->
    S2 = case Watched of
             #{Pid := Ref} -> tell_leader_holder_down(Pid, S#{watched := maps:remove(Pid, Watched)});
             _ -> S
         end,
    case Leader of
        {_, Ref} -> leader_down(S2);
        _ -> S2
    end.

tell_leader_holder_down(Holder, S = #{leader := {Node, _}}) ->
    {peb_session_shard:name(S), Node} ! {holder_down, Holder},
    S;
tell_leader_holder_down(_Holder, S) ->
    S.
