%% ring: P processes in a ring (the caller and P-1 spawned relays), a token passed around
%% it for L laps: P*L message sends. The token is an integer; every sender adds one, so it
%% counts the hops. Building and stopping the ring are not timed.
%% Timed: first send to the token's return after the last lap. Checksum: hops (= P*L).
%% Run: erl -noshell +S 2 +P 2000000 -pa DIR -run bench_ring main [P [L]]   (1000 1000)
-module(bench_ring).
-export([main/0, main/1]).

main() -> main([]).

main(Args) ->
    {Procs, Laps} = case Args of
                        [] -> {1000, 1000};
                        [P] -> {list_to_integer(P), 1000};
                        [P, L] -> {list_to_integer(P), list_to_integer(L)}
                    end,
    true = Procs >= 2,
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end,
                        Self, lists:seq(1, Procs - 1)),
    Total = Procs * Laps,
    T0 = erlang:monotonic_time(),
    First ! 1,
    Hops = lap(First, Total),
    T1 = erlang:monotonic_time(),
    First ! stop,
    receive stop -> ok end,
    Seconds = erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1.0e9,
    io:format("RESULT ring ~.6f ~b~n", [Seconds, Hops]),
    erlang:halt(0).

relay(Next) ->
    receive
        stop -> Next ! stop;
        Token -> Next ! Token + 1, relay(Next)
    end.

lap(First, Total) ->
    receive
        Token when Token >= Total -> Token;
        Token -> First ! Token + 1, lap(First, Total)
    end.
