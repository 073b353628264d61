%% pingpong: two processes (the caller and one spawned) bounce an integer N times; the
%% spawned one replies with the integer plus one. Timed: first send to the N-th reply.
%% Checksum: the final integer (= N, the round trips). Also prints us_per_roundtrip.
%% Run: erl -noshell +S 2 +P 2000000 -pa DIR -run bench_pingpong main [N]   (N = 1000000)
-module(bench_pingpong).
-export([main/0, main/1]).

main() -> main([]).

main(Args) ->
    N = case Args of [] -> 1000000; [A] -> list_to_integer(A) end,
    Self = self(),
    Pong = spawn(fun() -> pong(Self) end),
    T0 = erlang:monotonic_time(),
    Final = ping(Pong, N, 0),
    T1 = erlang:monotonic_time(),
    Pong ! stop,
    Seconds = erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1.0e9,
    io:format("RESULT pingpong ~.6f ~b us_per_roundtrip=~.4f~n",
              [Seconds, Final, Seconds * 1.0e6 / max(N, 1)]),
    erlang:halt(0).

ping(_, 0, V) -> V;
ping(Pong, I, V) ->
    Pong ! V,
    receive W -> ping(Pong, I - 1, W) end.

pong(Ping) ->
    receive
        stop -> ok;
        V -> Ping ! V + 1, pong(Ping)
    end.
