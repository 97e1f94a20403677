%% @doc The Raft store's front on one node: session_handler and its shards
%% (peb_session_request:checked/4) hand it the extension's requests (with
%% their caller), it turns each into a command of peb_session_raft's machine, pipelines it to the Ra leader (one round
%% trip: the leader appends, replicates to a majority, applies, notifies)
%% and answers the caller, as a shard would have. It never blocks
%% on Ra: many requests are in flight at once, each keyed by a correlation.
%%
%% A lock request queued behind another holder is answered when the
%% machine's grant reaches this front (a message the leader sends, see
%% peb_session_raft), or lock_timeout after its wait: the front then
%% cancels the wait in the log, so that a grant racing the timeout is
%% released, never left to a holder that was told it failed.
%%
%% A command without an answer is sent again, to the leader as now known,
%% every ?RESEND_MS, and answered {error, no_leader} after `raft_patience_ms'
%% (application env, 3000 by default: under peb.default_timeout, so that
%% PHP tries the next node of its save path, with the same grant). Sending
%% again is safe: each command is idempotent in the machine (a lock request
%% by its reference, a write by its grant). A node that is not connected to
%% a majority of the members answers {error, no_majority} at once, and
%% serves reads without a lock from its own copy (possibly stale, as the
%% Mnesia store does): never a change it cannot commit, never a silent
%% success.
%%
%% It also watches the holders (PHP connections end at this node, the
%% leader cannot reach them) and reports their death to the machine, and
%% serves the store interface (peb_session_store) that stats and the
%% classic gc/1 use, by blocking calls from their own processes.
-module(peb_session_raft_front).
-behaviour(gen_server).
-behaviour(peb_session_store).
-compile(warn_missing_spec).

-export([start_link/0, request/2]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).
-export([lookup/1, version/1, is_live/1, write/4, touch/2, delete/1, sweep/1, gc/1, size/0]).
-export([tag/2, tagged/1, destroy_tagged/1]).

-define(NODE, peb_session_raft_node).
-define(RESEND_MS, 1000).
-define(CHECK_MS, 200).
-define(CALL_MS, 5000).

-type from() :: gen_server:from() | none.
-type pending() :: #{from := from(), command := peb_session_raft:command(),
                     since := integer(), sent := integer()}.
-type state() :: #{ready := boolean(),
                   next := non_neg_integer(),
                   pending := #{non_neg_integer() => pending()},
                   waiting := #{reference() => {from(), binary(), reference()}},
                   holders := #{pid() => reference()},
                   patience := non_neg_integer()}.

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc Serves one of the server's requests (checked already, by
%% peb_session_request)
%% for From, who gets the reply from this process.
-spec request(gen_server:from(), tuple()) -> ok.
request(From, Request) ->
    ?MODULE ! {request, From, Request},
    ok.

%%--------------------------------------------------------------------
%% gen_server

%% The member starts (joining may take a while: the seeds may be starting
%% too) in a process of its own; until it runs, requests are answered
%% not_ready, which sends PHP to the next node.
-spec init([]) -> {ok, state()}.
init([]) ->
    _ = erlang:send_after(?CHECK_MS, self(), check),
    Front = self(),
    _ = spawn_link(fun() -> ok = ?NODE:start(), Front ! started end),
    {ok, #{ready => false, next => 0, pending => #{}, waiting => #{}, holders => #{},
           patience => application:get_env(peb_session, raft_patience_ms, 3000)}}.

-spec handle_call(term(), gen_server:from(), state()) -> {reply, term(), state()} | {noreply, state()}.
handle_call({command, Command}, From, S) ->
    {noreply, submit(From, Command, S)};
handle_call(_Request, _From, S) ->
    {reply, {error, badarg}, S}.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info(started, S) ->
    {noreply, S#{ready := true}};
handle_info({request, From, Request}, S) ->
    {noreply, serve(Request, From, S)};
handle_info({ra_event, _Leader, {applied, Replies}}, S) ->
    {noreply, lists:foldl(fun({Corr, Reply}, Acc) -> applied(Corr, Reply, Acc) end, S, Replies)};
handle_info({ra_event, _From, {rejected, {not_leader, Leader, Corr}}}, S) ->
    {noreply, rejected(Corr, Leader, S)};
handle_info({peb_raft_grant, Ref, Reply}, S = #{waiting := Waiting}) ->
    case maps:take(Ref, Waiting) of
        {{From, _Id, Timer}, Rest} ->
            _ = erlang:cancel_timer(Timer),
            reply(From, Reply),
            {noreply, S#{waiting := Rest}};
        error ->
            {noreply, S}    % answered lock_timeout already; its cancel releases the grant
    end;
handle_info({wait_timeout, Ref}, S = #{waiting := Waiting}) ->
    case maps:take(Ref, Waiting) of
        {{From, Id, _}, Rest} ->
            reply(From, {error, lock_timeout}),
            {noreply, submit(none, {cancel, Id, Ref}, S#{waiting := Rest})};
        error ->
            {noreply, S}
    end;
handle_info({'DOWN', _Ref, process, Holder, _}, S = #{holders := Holders}) ->
    {noreply, submit(none, {holder_down, Holder}, S#{holders := maps:remove(Holder, Holders)})};
handle_info(check, S) ->
    _ = erlang:send_after(?CHECK_MS, self(), check),
    {noreply, check(S)};
handle_info(_Msg, S) ->
    {noreply, S}.

%%--------------------------------------------------------------------
%% Requests

serve(_Request, From, S = #{ready := false}) ->
    reply(From, {error, not_ready}),
    S;
serve({read, Id, nolock}, From, S) ->
    %% Through the log too: a read sees every write acknowledged before it.
    %% In a minority, this member's copy.
    case ?NODE:majority() of
        true ->
            submit(From, {read, Id}, S);
        false ->
            _ = spawn(fun() -> reply(From, {ok, element(1, lookup(Id)), 0}) end),
            S
    end;
serve({release, _Id, 0}, From, S) ->
    reply(From, ok),
    S;
serve({exists, <<>>}, From, S) ->
    %% The extension's probe while it waits for a lock: answered at once.
    reply(From, false),
    S;
serve({exists, Id}, From, S) ->
    %% This member's copy, from a process of its own: a new id's check
    %% needs no round trip (ids are 128 random bits).
    _ = spawn(fun() -> reply(From, is_live(Id)) end),
    S;
serve(Request, From, S) ->
    case ?NODE:majority() of
        true ->
            changed(Request, From, S);
        false ->
            reply(From, {error, no_majority}),
            S
    end.

changed({read, Id, {lock, Holder, WaitMs, ExpireMs}}, From, S) ->
    submit(From, {lock, Id, Holder, self(), make_ref(), WaitMs, ExpireMs}, watch(Holder, S));
changed({gc}, From, S) ->
    submit(From, {gc, undefined}, S);
changed(Request, From, S) ->
    %% write, touch, destroy, release: the machine's commands as they are.
    submit(From, Request, S).

watch(Holder, S = #{holders := Holders}) ->
    case Holders of
        #{Holder := _} -> S;
        #{} -> S#{holders := Holders#{Holder => monitor(process, Holder)}}
    end.

reply(none, _Reply) -> ok;
reply(From, Reply) -> gen_server:reply(From, Reply).

%%--------------------------------------------------------------------
%% Commands in flight

submit(From, Command, S = #{next := Corr, pending := Pending}) ->
    Now = now_ms(),
    send(Corr, Command),
    S#{next := Corr + 1,
       pending := Pending#{Corr => #{from => From, command => Command, since => Now, sent => Now}}}.

send(Corr, Command) ->
    send(Corr, Command, ?NODE:leader()).

%% To the leader when this node is connected to it; else to this node's
%% member, which passes it on or names the leader (a send to a node not
%% connected could hold this process while the connection is tried).
send(Corr, Command, Leader) ->
    To = case reachable(Leader) of
             true -> Leader;
             false -> ?NODE:server_id()
         end,
    ok = ra:pipeline_command(To, Command, Corr, normal).

reachable({_, Node}) -> Node =:= node() orelse lists:member(Node, nodes());
reachable(undefined) -> false.

applied(Corr, Reply, S = #{pending := Pending}) ->
    case maps:take(Corr, Pending) of
        {#{from := From, command := Command}, Rest} -> answer(From, Command, Reply, S#{pending := Rest});
        error -> S    % answered already (a resend's second reply)
    end.

answer(From, {lock, Id, _, _, Ref, WaitMs, _}, queued, S = #{waiting := Waiting}) ->
    Timer = erlang:send_after(WaitMs, self(), {wait_timeout, Ref}),
    S#{waiting := Waiting#{Ref => {From, Id, Timer}}};
answer(From, _Command, Reply, S) ->
    reply(From, Reply),
    S.

%% A follower got the command: to the leader it names, at once.
rejected(Corr, Leader, S = #{pending := Pending}) ->
    case Pending of
        #{Corr := P = #{command := Command}} ->
            case reachable(Leader) of
                true ->
                    send(Corr, Command, Leader),
                    S#{pending := Pending#{Corr := P#{sent := now_ms()}}};
                false ->
                    S    % no leader this node reaches: sent again by check/1
            end;
        #{} ->
            S
    end.

%% Commands past their patience are answered no_leader (a lock request's
%% grant, should it come, is cancelled); those without an answer for
%% ?RESEND_MS are sent again.
check(S = #{pending := Pending, patience := Patience}) ->
    Now = now_ms(),
    maps:fold(fun(Corr, P = #{from := From, command := Command, since := Since, sent := Sent}, Acc) ->
                      if
                          Now - Since > Patience ->
                              reply(From, {error, unavailable()}),
                              give_up(Command, Acc#{pending := maps:remove(Corr, maps:get(pending, Acc))});
                          Now - Sent > ?RESEND_MS ->
                              send(Corr, Command),
                              Acc#{pending := (maps:get(pending, Acc))#{Corr := P#{sent := Now}}};
                          true ->
                              Acc
                      end
              end, S, Pending).

give_up({lock, Id, _, _, Ref, _, _}, S) -> submit(none, {cancel, Id, Ref}, S);
give_up(_Command, S) -> S.

unavailable() ->
    case ?NODE:majority() of
        true -> no_leader;
        false -> no_majority
    end.

now_ms() ->
    erlang:monotonic_time(millisecond).

%%--------------------------------------------------------------------
%% The store interface: this member's copy for reads, the log for changes

-spec lookup(peb_session_store:id()) -> {binary(), peb_session_store:vsn()}.
lookup(Id) ->
    Now = peb_session_store:now_ms(),
    query(fun(St) -> peb_session_raft:lookup(Id, Now, St) end, {<<>>, 0}).

-spec version(peb_session_store:id()) -> peb_session_store:vsn().
version(Id) ->
    element(2, lookup(Id)).

-spec is_live(peb_session_store:id()) -> boolean().
is_live(Id) ->
    Now = peb_session_store:now_ms(),
    query(fun(St) -> peb_session_raft:is_live(Id, Now, St) end, false).

-spec write(peb_session_store:id(), binary(), non_neg_integer(), peb_session_store:vsn()) -> ok.
write(Id, Data, LifetimeS, _Vsn) ->
    ok = command({write, Id, 0, Data, LifetimeS}).

-spec touch(peb_session_store:id(), non_neg_integer()) -> ok.
touch(Id, LifetimeS) ->
    ok = command({touch, Id, 0, LifetimeS}).

-spec delete(peb_session_store:id()) -> ok.
delete(Id) ->
    ok = command({destroy, Id, 0}).

-spec sweep(Cursor) -> {non_neg_integer(), Cursor}.
sweep(Cursor) ->
    {command({gc, undefined}), Cursor}.

-spec gc(non_neg_integer()) -> non_neg_integer().
gc(MaxLifetimeS) ->
    command({gc, MaxLifetimeS}).

-spec size() -> non_neg_integer().
size() ->
    query(fun peb_session_raft:size/1, 0).

%% Tags (peb_session_tags), through the log.
-spec tag(peb_session_store:id(), [peb_session_tags:tag()]) -> ok.
tag(Id, Tags) ->
    ok = command({tag, Id, Tags}).

-spec tagged(peb_session_tags:tag()) -> [peb_session_store:id()].
tagged(Tag) ->
    command({tagged, ids, Tag}).

-spec destroy_tagged(peb_session_tags:tag()) -> non_neg_integer().
destroy_tagged(Tag) ->
    command({tagged, destroy, Tag}).

command(Command) ->
    case gen_server:call(?MODULE, {command, Command}, ?CALL_MS) of
        {error, Why} -> exit({aborted, Why});
        Reply -> Reply
    end.

query(Fun, Default) ->
    case ra:local_query(?NODE:server_id(), Fun, ?CALL_MS) of
        {ok, {_IdxTerm, Result}, _Leader} -> Result;
        _ -> Default
    end.
