%% echo: the TCP echo server of the echo benchmark (bench/net/README.md), a process per
%% connection. Listens on 127.0.0.1:PORT, prints "READY" once it does, and echoes every byte
%% it reads until the client closes. Sockets are passive ({active, false}): each process
%% reads with gen_tcp:recv, as the Go and lunatic servers read, so a client that sends
%% faster than it reads is held back by TCP rather than filling a mailbox.
%% nodelay as Go's default, so neither waits on Nagle's algorithm.
%% Run: erl -noshell +S 2 -pa DIR -run echo main PORT
-module(echo).
-export([main/1]).

main([Port]) ->
    {ok, Listen} = gen_tcp:listen(list_to_integer(Port),
                                  [binary, {ip, {127, 0, 0, 1}}, {active, false},
                                   {reuseaddr, true}, {nodelay, true}, {backlog, 4096}]),
    io:format("READY~n"),
    accept(Listen).

accept(Listen) ->
    case gen_tcp:accept(Listen) of
        {ok, Socket} ->
            Pid = spawn(fun() -> receive go -> serve(Socket) end end),
            ok = gen_tcp:controlling_process(Socket, Pid),
            Pid ! go;
        {error, Reason} ->
            io:format(standard_error, "echo: accept: ~p~n", [Reason])
    end,
    accept(Listen).

serve(Socket) ->
    case gen_tcp:recv(Socket, 0) of
        {ok, Data} ->
            case gen_tcp:send(Socket, Data) of
                ok -> serve(Socket);
                {error, _} -> gen_tcp:close(Socket)
            end;
        {error, _} ->
            gen_tcp:close(Socket)
    end.
