%% @doc The application callback of peb_session, and the way the extension
%% loads the application into a stock node that has no .app file on its
%% code path (autoload): it sends the text of peb_session.app.
-module(peb_session_app).
-behaviour(application).
-compile(warn_missing_spec).

-export([start/2, stop/1, load/1]).

-spec start(application:start_type(), term()) -> {ok, pid()} | {error, term()}.
start(_Type, _Args) ->
    %% A table a previous store left (the 2009 module, or version 1's
    %% supervisor) is emptied into ours: its sessions survive the upgrade.
    Inherited = case peb_session_store:kind() of
                    ets -> peb_session_ets:take_over();
                    _Replicated -> []
                end,
    case peb_session_sup:start_link() of
        {ok, Sup} ->
            ok = peb_session_ets:restore(Inherited),
            {ok, Sup};
        {error, _} = Error ->
            Error    % (never ignore: peb_session_sup:init/1 always starts)
    end.

-spec stop(term()) -> ok.
stop(_State) ->
    ok.

%% @doc Loads the application from the text of its .app file, unless it is
%% loaded already.
-spec load(binary()) -> ok | {error, term()}.
load(AppText) when is_binary(AppText) ->
    case application:load(peb_session) of
        ok -> ok;
        {error, {already_loaded, _}} -> ok;
        {error, _} -> load_text(AppText)
    end.

load_text(AppText) ->
    {ok, Tokens, _} = erl_scan:string(binary_to_list(AppText)),
    {ok, Spec} = erl_parse:parse_term(Tokens),
    case application:load(Spec) of
        {error, {already_loaded, _}} -> ok;
        Other -> Other
    end.
