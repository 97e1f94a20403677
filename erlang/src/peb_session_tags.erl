%% @doc Session tags: short binaries that PHP gives a session (a user id,
%% a role, a tenant; peb_session_tag() in PHP), sent with the session's
%% next write and kept by the store beside it, so that every session of a
%% tag can be counted, listed or destroyed at once (docs/tags.md).
%%
%% This module holds what every store shares: what a valid tag list is
%% (tags come from the network: binaries, bounded, never atoms) and the
%% requests about a tag, served through session_handler so that they are
%% ordered with the writes and locks of the sessions they touch.
-module(peb_session_tags).
-compile(warn_missing_spec).

-export([valid/1, valid_tag/1, max_tags/0, max_tag_bytes/0]).
-export([count/1, ids/1, destroy/1]).

%% At most this many tags travel with one write, each at most this long.
-define(MAX_TAGS, 32).
-define(MAX_TAG_BYTES, 255).
-define(CALL_MS, 15000).

-type tag() :: binary().
-export_type([tag/0]).

-spec max_tags() -> pos_integer().
max_tags() -> ?MAX_TAGS.

-spec max_tag_bytes() -> pos_integer().
max_tag_bytes() -> ?MAX_TAG_BYTES.

%% @doc Whether Tags is a list of 1 to max_tags() valid tags.
-spec valid(term()) -> boolean().
valid([_ | _] = Tags) ->
    valid(Tags, 0);
valid(_) ->
    false.

%% By hand: the list may be improper, or endless for length/1's taste.
valid([], _N) -> true;
valid([Tag | Rest], N) when N < ?MAX_TAGS -> valid_tag(Tag) andalso valid(Rest, N + 1);
valid(_, _N) -> false.

%% @doc A tag is a binary of 1 to max_tag_bytes() bytes.
-spec valid_tag(term()) -> boolean().
valid_tag(Tag) ->
    is_binary(Tag) andalso byte_size(Tag) > 0 andalso byte_size(Tag) =< ?MAX_TAG_BYTES.

%% @doc How many live sessions carry Tag.
-spec count(iodata()) -> non_neg_integer().
count(Tag) ->
    request(count, Tag).

%% @doc The ids of the live sessions that carry Tag.
-spec ids(iodata()) -> [peb_session_store:id()].
ids(Tag) ->
    request(ids, Tag).

%% @doc Destroys every session that carries Tag; how many were live.
-spec destroy(iodata()) -> non_neg_integer().
destroy(Tag) ->
    request(destroy, Tag).

request(Op, Tag0) ->
    Tag = iolist_to_binary(Tag0),
    case valid_tag(Tag) of
        true -> ok;
        false -> erlang:error(badarg, [Tag0])
    end,
    case gen_server:call(session_handler, {tagged, Op, Tag}, ?CALL_MS) of
        {error, Why} -> erlang:error({peb_session, Why});
        Reply -> Reply
    end.
