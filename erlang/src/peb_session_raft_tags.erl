%% @doc The tags of the Raft store's machine (peb_session_raft): its two
%% fields tag_index (Tag => #{Id => true}) and session_tags (Id => [Tag]),
%% absent until the first tag (a state of a version without tags reads as
%% none). Pure functions over the machine's state, called from its apply/3
%% only, so as deterministic as it is; a module of its own so that the
%% machine keeps to sessions and locks. The machine's module name and its
%% state's shape are unchanged by the move (Ra's logs record the former,
%% its snapshots the latter).
-module(peb_session_raft_tags).
-compile(warn_missing_spec).

-export([ids/2, add/3, drop/2, untag_removed/2, tags_of/2]).

-type id() :: binary().
-type tag() :: binary().
-type state() :: peb_session_raft:state().

%% @doc The ids that carry Tag (live or expired), sorted.
-spec ids(tag(), state()) -> [id()].
ids(Tag, S) ->
    lists:sort(maps:keys(maps:get(Tag, maps:get(tag_index, S, #{}), #{}))).

%% @doc Gives the session Id these tags too (those it has stay).
-spec add(id(), [tag()], state()) -> state().
add(Id, Tags, S) ->
    Index0 = maps:get(tag_index, S, #{}),
    Session0 = maps:get(session_tags, S, #{}),
    Index = lists:foldl(fun(T, Acc) -> Acc#{T => (maps:get(T, Acc, #{}))#{Id => true}} end, Index0, Tags),
    Old = maps:get(Id, Session0, []),
    S#{tag_index => Index, session_tags => Session0#{Id => lists:usort(Old ++ Tags)}}.

%% @doc Forgets the tags of the session Id.
-spec drop(id(), state()) -> state().
drop(Id, S = #{session_tags := Session0, tag_index := Index0}) ->
    case maps:take(Id, Session0) of
        {Tags, Session} ->
            Index = lists:foldl(fun(T, Acc) ->
                                        case maps:remove(Id, maps:get(T, Acc, #{})) of
                                            Empty when map_size(Empty) =:= 0 -> maps:remove(T, Acc);
                                            Ids -> Acc#{T => Ids}
                                        end
                                end, Index0, Tags),
            S#{session_tags := Session, tag_index := Index};
        error ->
            S
    end;
drop(_Id, S) ->
    S.

%% @doc The tags of the sessions a command removed (a destroy, a gc, a
%% tick's sweep) go, in the command's result; nothing to do, and nothing
%% done, in a store without tags.
-spec untag_removed(peb_session_raft:command(), {state(), Reply, Effects}) -> {state(), Reply, Effects}
          when Reply :: term(), Effects :: list().
untag_removed(_Command, Result = {#{session_tags := Tagged}, _, _}) when map_size(Tagged) =:= 0 ->
    Result;
untag_removed({destroy, Id, _}, {S = #{sessions := Sessions}, Reply, Effects}) ->
    case is_map_key(Id, Sessions) of
        true -> {S, Reply, Effects};
        false -> {drop(Id, S), Reply, Effects}
    end;
untag_removed(Command, {S = #{sessions := Sessions, session_tags := Tagged}, Reply, Effects})
  when element(1, Command) =:= gc; element(1, Command) =:= tick ->
    Gone = [Id || Id <- lists:sort(maps:keys(Tagged)), not is_map_key(Id, Sessions)],
    {lists:foldl(fun drop/2, S, Gone), Reply, Effects};
untag_removed(_Command, Result) ->
    Result.

%% @doc The tags of the session Id.
-spec tags_of(id(), state()) -> [tag()].
tags_of(Id, S) ->
    maps:get(Id, maps:get(session_tags, S, #{}), []).
