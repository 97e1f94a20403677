%% @doc Change notifications: Erlang processes subscribe to a session id or
%% a tag (peb_session:subscribe/1) and get a message when such a session is
%% written, destroyed or removed expired:
%%   {peb_session, written | destroyed | expired, Id}              (an id's subscribers)
%%   {peb_session, written | destroyed | expired, Id, {tag, Tag}}  (a tag's)
%% Subscribers are monitored and forgotten when they die.
%%
%% Scope: with the ETS store and the Mnesia store, the changes this node's
%% store makes (peb_session_store calls notify/3 and friends): a Mnesia
%% cluster's subscriber hears of the writes served by its node (PHP
%% connected to it, or the sweep of the lock leader). With the Raft store,
%% every change of the cluster: each node's member sends this server what
%% each command did (peb_session_raft). See docs/tags.md.
%%
%% Nothing is done for a change nobody listens to: the subscriptions are
%% the protected bag `peb_session_subs' of {Key, Pid}, and an empty table
%% ends every notification at one ets:info/2.
-module(peb_session_subs).
-behaviour(gen_server).
-compile(warn_missing_spec).

-export([start_link/0, subscribe/2, unsubscribe/2, active/0, subscribed_ids/0, subscribed_tags/0,
         notify/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(TABLE, peb_session_subs).

-type key() :: {id, binary()} | {tag, binary()}.
-type event() :: written | destroyed | expired.
-type state() :: #{pid() => reference()}.
-export_type([key/0, event/0]).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

-spec subscribe(key(), pid()) -> ok.
subscribe(Key, Pid) ->
    gen_server:call(?MODULE, {subscribe, Key, Pid}).

-spec unsubscribe(key(), pid()) -> ok.
unsubscribe(Key, Pid) ->
    gen_server:call(?MODULE, {unsubscribe, Key, Pid}).

%% @doc Whether anyone listens (one ets:info/2).
-spec active() -> boolean().
active() ->
    case ets:info(?TABLE, size) of
        N when is_integer(N) -> N > 0;
        undefined -> false
    end.

-spec subscribed_ids() -> [binary()].
subscribed_ids() ->
    lists:usort(ets:select(?TABLE, [{{{id, '$1'}, '_'}, [], ['$1']}])).

-spec subscribed_tags() -> [binary()].
subscribed_tags() ->
    lists:usort(ets:select(?TABLE, [{{{tag, '$1'}, '_'}, [], ['$1']}])).

%% @doc Tells Id's subscribers, and those of each of its Tags, of Event.
-spec notify(event(), binary(), [binary()]) -> ok.
notify(Event, Id, Tags) ->
    _ = [Pid ! {peb_session, Event, Id} || Pid <- pids({id, Id})],
    _ = [Pid ! {peb_session, Event, Id, {tag, Tag}} || Tag <- Tags, Pid <- pids({tag, Tag})],
    ok.

pids(Key) ->
    try ets:lookup_element(?TABLE, Key, 2)
    catch error:badarg -> []
    end.

%%--------------------------------------------------------------------
%% gen_server

-spec init([]) -> {ok, state()}.
init([]) ->
    ?TABLE = ets:new(?TABLE, [named_table, protected, bag, {read_concurrency, true}]),
    {ok, #{}}.

-spec handle_call(term(), gen_server:from(), state()) -> {reply, ok | {error, badarg}, state()}.
handle_call({subscribe, Key, Pid}, _From, S) when is_pid(Pid) ->
    true = ets:insert(?TABLE, {Key, Pid}),
    {reply, ok, case S of
                    #{Pid := _} -> S;
                    #{} -> S#{Pid => monitor(process, Pid)}
                end};
handle_call({unsubscribe, Key, Pid}, _From, S) ->
    true = ets:delete_object(?TABLE, {Key, Pid}),
    {reply, ok, case {ets:match(?TABLE, {'_', Pid}), S} of
                    {[], #{Pid := Ref}} -> true = demonitor(Ref, [flush]), maps:remove(Pid, S);
                    _ -> S
                end};
handle_call(_Request, _From, S) ->
    {reply, {error, badarg}, S}.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, S) ->
    {noreply, S}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info({peb_session_raft, Event, Id, Tags}, S) ->
    %% The Raft store's news, from this node's member (peb_session_raft).
    ok = notify(Event, Id, Tags),
    {noreply, S};
handle_info({'DOWN', _Ref, process, Pid, _}, S) ->
    true = ets:match_delete(?TABLE, {'_', Pid}),
    {noreply, maps:remove(Pid, S)};
handle_info(_Msg, S) ->
    {noreply, S}.
