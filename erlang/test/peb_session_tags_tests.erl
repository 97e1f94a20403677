%% @doc EUnit tests of session tags: on the ETS store through
%% session_handler (the requests the extension sends, and the Erlang API
%% of peb_session), and in the Raft store's machine, pure (commands
%% applied as Ra applies them). Each ETS test gets a fresh application.
-module(peb_session_tags_tests).
-compile(warn_missing_spec).

-export([ets_test_/0,
         raft_tags_and_destroy_test/0,
         raft_destroy_under_a_held_lock_test/0,
         raft_expiry_and_gc_take_tags_test/0,
         raft_untagged_state_has_no_tag_fields_test/0]).

-include("peb_test_assert.hrl").

-define(S, session_handler).
-define(M, peb_session_raft).

%%--------------------------------------------------------------------
%% ETS, through session_handler

-spec ets_test_() -> term().
ets_test_() ->
    {foreach, fun() -> ok = ?S:start() end, fun(_) -> ok = ?S:stop() end,
     [fun tagged_write_count_ids_destroy/0,
      fun tags_accumulate_and_untagged_writes_keep_them/0,
      fun destroy_removes_tags/0,
      fun expired_sessions_are_not_counted_and_gc_drops_tags/0,
      fun destroy_tagged_under_a_held_lock/0,
      fun tagged_write_under_a_lock/0,
      fun bad_tags_are_refused/0,
      fun erlang_api_checks_its_argument/0,
      fun subscribers_hear_writes_destroys_and_expiry/0,
      fun dead_subscribers_are_forgotten/0]}.

call(Request) ->
    gen_server:call(?S, Request).

tagged_write_count_ids_destroy() ->
    ok = call({write, <<"a">>, 0, <<"x|i:1;">>, 60, [<<"user:1">>, <<"role:admin">>]}),
    ok = call({write, <<"b">>, 0, <<"x|i:2;">>, 60, [<<"user:1">>]}),
    ok = call({write, <<"c">>, 0, <<"x|i:3;">>, 60, [<<"user:2">>]}),
    ok = call({write, <<"d">>, 0, <<"x|i:4;">>, 60}),
    ?assertEqual(2, call({tagged, count, <<"user:1">>})),
    ?assertEqual([<<"a">>, <<"b">>], lists:sort(call({tagged, ids, <<"user:1">>}))),
    ?assertEqual([<<"a">>], peb_session:sessions_tagged("role:admin")),
    ?assertEqual(0, peb_session:count_tagged(<<"nobody">>)),
    ?assertEqual(2, peb_session:destroy_tagged(<<"user:1">>)),
    ?assertEqual(<<>>, ?S:read(<<"a">>)),
    ?assertEqual(<<>>, ?S:read(<<"b">>)),
    ?assertEqual(<<"x|i:3;">>, ?S:read(<<"c">>)),
    ?assertEqual(<<"x|i:4;">>, ?S:read(<<"d">>)),
    %% a's other tag went with it.
    ?assertEqual(0, peb_session:count_tagged(<<"role:admin">>)),
    ?assertEqual(0, call({tagged, destroy, <<"user:1">>})),
    ?assertEqual(1, peb_session:count_tagged(<<"user:2">>)).

tags_accumulate_and_untagged_writes_keep_them() ->
    ok = call({write, <<"s">>, 0, <<"1">>, 60, [<<"t1">>]}),
    ok = call({write, <<"s">>, 0, <<"2">>, 60, [<<"t2">>, <<"t1">>]}),
    ok = call({write, <<"s">>, 0, <<"3">>, 60}),
    ok = call({touch, <<"s">>, 0, 60}),
    ?assertEqual([<<"s">>], peb_session:sessions_tagged(<<"t1">>)),
    ?assertEqual([<<"s">>], peb_session:sessions_tagged(<<"t2">>)).

destroy_removes_tags() ->
    ok = call({write, <<"s">>, 0, <<"1">>, 60, [<<"t">>]}),
    ok = ?S:destroy(<<"s">>),
    ?assertEqual([], ets:select(peb_session_tag_index, [{'_', [], ['$_']}])),
    %% A new session under the same id is not tagged.
    ok = ?S:write(<<"s">>, <<"again">>),
    ?assertEqual(0, peb_session:count_tagged(<<"t">>)).

expired_sessions_are_not_counted_and_gc_drops_tags() ->
    ok = call({write, <<"old">>, 0, <<"1">>, 0, [<<"t">>]}),
    ok = call({write, <<"new">>, 0, <<"2">>, 60, [<<"t">>]}),
    ?assertEqual([<<"new">>], peb_session:sessions_tagged(<<"t">>)),
    ?assertEqual(1, call({gc})),
    ?assertEqual([{{id, <<"new">>, <<"t">>}}, {{tag, <<"t">>, <<"new">>}}],
                 ets:tab2list(peb_session_tag_index)),
    timer:sleep(5),
    ?assertEqual(1, ?S:gc(0)),
    ?assertEqual([], ets:tab2list(peb_session_tag_index)).

%% A request holds the lock while the user's sessions are destroyed: its
%% write is refused (lock_lost), the session stays destroyed, and the
%% next request reads nothing.
destroy_tagged_under_a_held_lock() ->
    Id = <<"held">>,
    ok = call({write, Id, 0, <<"user|s:1:\"1\";">>, 60, [<<"user:1">>]}),
    {ok, <<"user|s:1:\"1\";">>, Token} = call({read, Id, {lock, self(), 0, 10000}}),
    ?assertEqual(1, peb_session:destroy_tagged(<<"user:1">>)),
    ?assertEqual({error, lock_lost}, call({write, Id, Token, <<"user|s:1:\"1\";x|i:1;">>, 60, [<<"user:1">>]})),
    ?assertEqual(<<>>, ?S:read(Id)),
    ?assertEqual(0, peb_session:count_tagged(<<"user:1">>)),
    %% The lock was released by the refused write.
    {ok, <<>>, Token2} = call({read, Id, {lock, self(), 0, 10000}}),
    ok = call({release, Id, Token2}),
    ?assertMatch(#{locks := 0}, ?S:stats()).

tagged_write_under_a_lock() ->
    Id = <<"locked">>,
    {ok, <<>>, Token} = call({read, Id, {lock, self(), 0, 10000}}),
    ok = call({write, Id, Token, <<"v">>, 60, [<<"u">>]}),
    ?assertEqual([Id], peb_session:sessions_tagged(<<"u">>)),
    ?assertMatch(#{locks := 0}, ?S:stats()).

bad_tags_are_refused() ->
    Long = binary:copy(<<"x">>, 256),
    [?assertEqual({error, badarg}, call({write, <<"s">>, 0, <<"1">>, 60, Tags}))
     || Tags <- [[], [<<>>], [Long], [atom], <<"t">>, improper(),
                 [integer_to_binary(N) || N <- lists:seq(1, 33)]]],
    ?assertEqual(<<>>, ?S:read(<<"s">>)),
    [?assertEqual({error, badarg}, call({tagged, Op, Tag}))
     || {Op, Tag} <- [{count, <<>>}, {ids, Long}, {destroy, 1}, {drop, <<"t">>}]],
    %% 32 tags of 255 bytes are fine.
    Max = [<<(binary:copy(<<"y">>, 252))/binary, N:24>> || N <- lists:seq(1, 32)],
    ok = call({write, <<"s">>, 0, <<"1">>, 60, Max}),
    ?assertEqual(1, peb_session:count_tagged(lists:last(Max))).

%% [<<"t">> | <<"u">>], made from its external form (so that dialyzer
%% does not flag a test of hostile input).
improper() ->
    binary_to_term(<<131, 108, 1:32, 109, 1:32, $t, 109, 1:32, $u>>).

erlang_api_checks_its_argument() ->
    ?assertEqual(badarg, try peb_session:count_tagged(<<>>) catch error:badarg -> badarg end),
    ?assertEqual(badarg, try peb_session:destroy_tagged(binary:copy(<<"x">>, 300))
                         catch error:badarg -> badarg end).

%% Notifications, by id and by tag.
subscribers_hear_writes_destroys_and_expiry() ->
    ok = peb_session:subscribe(<<"a">>),
    ok = peb_session:subscribe({tag, "user:1"}),
    ok = call({write, <<"a">>, 0, <<"1">>, 60}),
    ?assertEqual([{peb_session, written, <<"a">>}], flush()),
    ok = call({write, <<"b">>, 0, <<"2">>, 60, [<<"user:1">>]}),
    ?assertEqual([{peb_session, written, <<"b">>, {tag, <<"user:1">>}}], flush()),
    %% A later write without tags: b still has its tag.
    ok = ?S:write(<<"b">>, <<"3">>),
    ?assertEqual([{peb_session, written, <<"b">>, {tag, <<"user:1">>}}], flush()),
    ok = call({write, <<"c">>, 0, <<"4">>, 60}),
    ?assertEqual([], flush()),
    ?assertEqual(1, peb_session:destroy_tagged(<<"user:1">>)),
    ?assertEqual([{peb_session, destroyed, <<"b">>, {tag, <<"user:1">>}}], flush()),
    ok = ?S:destroy(<<"a">>),
    ?assertEqual([{peb_session, destroyed, <<"a">>}], flush()),
    %% Expiry, when a sweep removes the session.
    ok = call({write, <<"a">>, 0, <<"5">>, 0, [<<"user:1">>]}),
    ?assertMatch([_, _], flush()),
    ?assertEqual(1, call({gc})),
    ?assertEqual(lists:sort([{peb_session, expired, <<"a">>}, {peb_session, expired, <<"a">>, {tag, <<"user:1">>}}]),
                 lists:sort(flush())),
    ok = peb_session:unsubscribe(<<"a">>),
    ok = peb_session:unsubscribe({tag, <<"user:1">>}),
    ok = call({write, <<"a">>, 0, <<"6">>, 60, [<<"user:1">>]}),
    ?assertEqual([], flush()),
    ?assertEqual(0, ets:info(peb_session_subs, size)).

dead_subscribers_are_forgotten() ->
    Parent = self(),
    Sub = spawn(fun() ->
                        ok = peb_session:subscribe(<<"x">>),
                        Parent ! subscribed,
                        receive M -> Parent ! {got, M} end
                end),
    receive subscribed -> ok end,
    ok = ?S:write(<<"x">>, <<"1">>),
    ?assertEqual({got, {peb_session, written, <<"x">>}}, receive {got, _} = G -> G after 2000 -> timeout end),
    Ref = monitor(process, Sub),
    receive {'DOWN', Ref, process, Sub, _} -> ok end,
    _ = sys:get_state(peb_session_subs),
    ?assertEqual(0, ets:info(peb_session_subs, size)),
    ?assertEqual(#{}, sys:get_state(peb_session_subs)).

flush() ->
    receive
        {peb_session, _, _} = M -> [M | flush()];
        {peb_session, _, _, _} = M -> [M | flush()]
    after 100 -> []
    end.

%%--------------------------------------------------------------------
%% The Raft machine

new() ->
    {S, _, _} = ?M:apply(#{index => 1, system_time => 1000}, {create, store}, ?M:init(#{name => t})),
    {S, 2, 1000}.

run(Command, Log) ->
    run(Command, 0, Log).

%% The effects without the news for subscribers (peb_session_raft_tests).
run(Command, Ms, {S0, Index, Now}) ->
    {S, Reply, Effects} = ?M:apply(#{index => Index, system_time => Now + Ms, term => 1}, Command, S0),
    News = fun({send_msg, {peb_session_subs, _}, _, [local]}) -> true; (_) -> false end,
    {Reply, [E || E <- Effects, not News(E)], {S, Index + 1, Now + Ms}}.

-spec raft_tags_and_destroy_test() -> ok.
raft_tags_and_destroy_test() ->
    {ok, [], L1} = run({write, <<"a">>, 0, <<"1">>, 60, [<<"u1">>, <<"admin">>]}, new()),
    {ok, [], L2} = run({write, <<"b">>, 0, <<"2">>, 60, [<<"u1">>]}, L1),
    {ok, [], L3} = run({write, <<"c">>, 0, <<"3">>, 60}, L2),
    {2, [], L4} = run({tagged, count, <<"u1">>}, L3),
    {[<<"a">>, <<"b">>], [], L5} = run({tagged, ids, <<"u1">>}, L4),
    {2, [], L6} = run({tagged, destroy, <<"u1">>}, L5),
    {S6, _, _} = L6,
    ?assertEqual([<<"c">>], maps:keys(maps:get(sessions, S6))),
    ?assertEqual(#{}, maps:get(tag_index, S6)),
    ?assertEqual(#{}, maps:get(session_tags, S6)),
    {0, [], _} = run({tagged, count, <<"admin">>}, L6),
    ok.

-spec raft_destroy_under_a_held_lock_test() -> ok.
raft_destroy_under_a_held_lock_test() ->
    [H, W, F] = [spawn(fun() -> ok end) || _ <- [1, 2, 3]],
    {ok, [], L1} = run({write, <<"s">>, 0, <<"data">>, 60, [<<"u1">>]}, new()),
    {{ok, <<"data">>, Token}, _, L2} = run({lock, <<"s">>, H, F, make_ref(), 5000, 30000}, L1),
    WRef = make_ref(),
    {queued, [], L3} = run({lock, <<"s">>, W, F, WRef, 5000, 30000}, L2),
    %% Destroying the tag releases the lock: the waiter gets it, reading nothing.
    {1, Effects, L4} = run({tagged, destroy, <<"u1">>}, L3),
    ?assertMatch([{send_msg, F, {peb_raft_grant, WRef, {ok, <<>>, _}}}], Effects),
    %% The first holder's write is refused, and brings nothing back.
    {{error, lock_lost}, [], L5} = run({write, <<"s">>, Token, <<"data2">>, 60, [<<"u1">>]}, L4),
    {{error, lock_lost}, [], L6} = run({write, <<"s">>, Token, <<"data2">>, 60}, L5),
    {{ok, <<>>, 0}, [], L7} = run({read, <<"s">>}, L6),
    {0, [], _} = run({tagged, count, <<"u1">>}, L7),
    ok.

-spec raft_expiry_and_gc_take_tags_test() -> ok.
raft_expiry_and_gc_take_tags_test() ->
    {ok, [], L1} = run({write, <<"short">>, 0, <<"1">>, 1, [<<"t">>]}, new()),
    {ok, [], L2} = run({write, <<"long">>, 0, <<"2">>, 600, [<<"t">>]}, L1),
    {[<<"long">>, <<"short">>], [], _} = run({tagged, ids, <<"t">>}, L2),
    %% Expired: not counted, before any sweep.
    {[<<"long">>], [], L3} = run({tagged, ids, <<"t">>}, 2000, L2),
    {1, [], L4} = run({gc, undefined}, L3),
    {S4, _, _} = L4,
    ?assertEqual(#{<<"long">> => [<<"t">>]}, maps:get(session_tags, S4)),
    %% A tick's sweep, past the long one's expiry.
    {ok, _, L5} = run({tick, 0}, 700000, L4),
    {S5, _, _} = L5,
    ?assertEqual(#{}, maps:get(session_tags, S5)),
    ?assertEqual(#{}, maps:get(tag_index, S5)),
    %% A destroy takes the tags too.
    {ok, [], L6} = run({write, <<"x">>, 0, <<"1">>, 60, [<<"t">>]}, L5),
    {ok, [], L7} = run({destroy, <<"x">>, 0}, L6),
    {S7, _, _} = L7,
    ?assertEqual(#{}, maps:get(session_tags, S7)),
    ok.

%% A store that never saw a tag has no tag fields: its state, snapshots
%% and commands are as before.
-spec raft_untagged_state_has_no_tag_fields_test() -> ok.
raft_untagged_state_has_no_tag_fields_test() ->
    {ok, [], L1} = run({write, <<"a">>, 0, <<"1">>, 60}, new()),
    {ok, [], L2} = run({destroy, <<"a">>, 0}, L1),
    {0, [], L3} = run({gc, undefined}, L2),
    {0, [], {S, _, _}} = run({tagged, count, <<"t">>}, L3),
    ?assertNot(maps:is_key(tag_index, S)),
    ?assertNot(maps:is_key(session_tags, S)),
    ok.
