%% @doc The requests of the session server's protocol (what the extension
%% sends, raw gen_server calls, see session_handler), checked and counted
%% once for the two processes that take them: the router (session_handler)
%% and the shards (peb_session_shard).
%%
%% kind/1 checks a request's shape (ids, data and tags are binaries, never
%% atoms: they come from the network) and says how it is served: read
%% (here, no lock), write (changes the store, here) or lock (under a lock,
%% which the leader grants). checked/4 answers a malformed one badarg and
%% hands the Raft store's to its front (peb_session_raft_front), which
%% answers them through Ra's log; the others go to the caller's own
%% service. The counters are the `counters' map of either process's state.
-module(peb_session_request).
-compile(warn_missing_spec).

-export([kind/1, checked/4, id/1, count/2, count_read/2, count_write/2]).
-export_type([request/0, kind/0, token/0, counter/0]).

-define(IS_NAT(T), (is_integer(T) andalso T >= 0)).
-define(IS_GRANT(T), (tuple_size(T) =:= 3 andalso ?IS_NAT(element(1, T))
                      andalso ?IS_NAT(element(2, T)))).
-define(IS_TOKEN(T), (T =:= 0 orelse (is_tuple(T) andalso ?IS_GRANT(T)))).

-type id() :: peb_session_store:id().
-type token() :: 0 | peb_session_locks:token().
-type request() :: {read, id(), nolock | {lock, pid(), non_neg_integer(), non_neg_integer()}}
                 | {write, id(), token(), binary(), non_neg_integer()}
                 | {write, id(), token(), binary(), non_neg_integer(), [peb_session_tags:tag()]}
                 | {tagged, count | ids | destroy, peb_session_tags:tag()}
                 | {touch, id(), token(), non_neg_integer()}
                 | {release, id(), token()}
                 | {destroy, id(), token()}
                 | {gc}
                 | {exists, id()}.
-type kind() :: read | write | lock.
-type counter() :: reads | writes | touches | destroys | gcs.
%% Either process's state: its counters are what this module touches.
-type state() :: #{counters := #{counter() => non_neg_integer()}, atom() => term()}.

%% @doc read: served here. write: changes the store, here. lock: goes to
%% the leader. badarg: not a request of the protocol.
-spec kind(term()) -> kind() | badarg.
kind({read, Id, nolock}) when is_binary(Id) -> read;
kind({read, Id, {lock, Holder, WaitMs, ExpireMs}})
  when is_binary(Id), is_pid(Holder), ?IS_NAT(WaitMs), ?IS_NAT(ExpireMs) -> lock;
kind({write, Id, T, Data, LifetimeS}) when is_binary(Id), ?IS_TOKEN(T), is_binary(Data),
                                          ?IS_NAT(LifetimeS) -> by_token(T);
kind({write, Id, T, Data, LifetimeS, Tags}) when is_binary(Id), ?IS_TOKEN(T), is_binary(Data),
                                                ?IS_NAT(LifetimeS) ->
    case peb_session_tags:valid(Tags) of
        true -> by_token(T);
        false -> badarg
    end;
kind({tagged, Op, Tag}) when Op =:= count; Op =:= ids; Op =:= destroy ->
    case peb_session_tags:valid_tag(Tag) of
        true when Op =:= destroy -> write;
        true -> read;
        false -> badarg
    end;
kind({touch, Id, T, LifetimeS}) when is_binary(Id), ?IS_TOKEN(T), ?IS_NAT(LifetimeS) -> by_token(T);
kind({release, Id, T}) when is_binary(Id), ?IS_TOKEN(T) -> by_token(T);
kind({destroy, Id, T}) when is_binary(Id), ?IS_TOKEN(T) -> by_token(T);
kind({gc}) -> write;
kind({exists, Id}) when is_binary(Id) -> read;
kind(_) -> badarg.

-spec by_token(token()) -> write | lock.
by_token(0) -> write;
by_token(_) -> lock.

%% @doc A request that passes kind/1 goes to the Raft store's front, or
%% else to Serve (the shard's own service, or the router's pass to a shard).
-spec checked(term(), peb_session_locks:from(), S, fun((kind()) -> Result)) -> Result | {reply, {error, badarg}, S}
          when S :: state(), Result :: {reply, term(), S} | {noreply, S}.
checked(Request, From, S, Serve) ->
    case kind(Request) of
        badarg -> {reply, {error, badarg}, S};
        Kind ->
            case peb_session_store:raft() of
                true ->
                    ok = peb_session_raft_front:request(From, Request),
                    {noreply, count_raft(Request, S)};
                false ->
                    Serve(Kind)
            end
    end.

%% @doc The id a request names; none for the store-wide ones ({gc}, by tag).
-spec id(term()) -> {ok, binary()} | none.
id(Request) when is_tuple(Request), tuple_size(Request) >= 2, tuple_size(Request) =< 6,
                 is_binary(element(2, Request)) ->
    {ok, element(2, Request)};
id(_Request) ->
    none.

%% @doc One more of Key.
-spec count(counter(), S) -> S when S :: state().
count(Key, S = #{counters := C}) ->
    S#{counters := maps:update_with(Key, fun(N) -> N + 1 end, 1, C)}.

%% @doc A read counted (the other requests of kind read are not).
-spec count_read(term(), S) -> S when S :: state().
count_read({read, _, _}, S) -> count(reads, S);
count_read(_, S) -> S.

%% @doc A request that changes the store counted by what it is.
-spec count_write(term(), S) -> S when S :: state().
count_write({write, _, _, _, _}, S) -> count(writes, S);
count_write({write, _, _, _, _, _}, S) -> count(writes, S);
count_write({touch, _, _, _}, S) -> count(touches, S);
count_write({destroy, _, _}, S) -> count(destroys, S);
count_write({gc}, S) -> count(gcs, S);
count_write(_, S) -> S.

%% The Raft store's requests, counted as they are handed on.
count_raft({read, _, _}, S) -> count(reads, S);
count_raft(Request, S) -> count_write(Request, S).
