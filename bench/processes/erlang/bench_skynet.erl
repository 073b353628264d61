%% skynet: a root process spawns 10 children, each spawns 10, ... down to L leaves
%% (L = 10^6: 6 levels, 1,111,111 processes besides the caller). Leaf k sends k to its
%% parent; every inner process sums its 10 children's messages and sends the sum up.
%% Timed: spawn of the root to the root's sum received. Checksum: the sum, L*(L-1)/2
%% (499999500000 for L = 10^6).
%% Run: erl -noshell +S 2 +P 2000000 -pa DIR -run bench_skynet main [L]   (L a power of 10)
-module(bench_skynet).
-export([main/0, main/1]).

main() -> main([]).

main(Args) ->
    Leaves = case Args of [] -> 1000000; [A] -> list_to_integer(A) end,
    Parent = self(),
    T0 = erlang:monotonic_time(),
    spawn(fun() -> skynet(Parent, 0, Leaves, 10) end),
    Sum = receive S -> S end,
    T1 = erlang:monotonic_time(),
    Seconds = erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1.0e9,
    io:format("RESULT skynet ~.6f ~b~n", [Seconds, Sum]),
    erlang:halt(0).

skynet(Parent, Num, 1, _) ->
    Parent ! Num;
skynet(Parent, Num, Size, Div) ->
    Self = self(),
    Sub = Size div Div,
    spawn_children(Self, Num, Sub, Div, 0),
    Parent ! collect(Div, 0).

spawn_children(_, _, _, Div, Div) -> ok;
spawn_children(Self, Num, Sub, Div, I) ->
    spawn(fun() -> skynet(Self, Num + I * Sub, Sub, Div) end),
    spawn_children(Self, Num, Sub, Div, I + 1).

collect(0, Sum) -> Sum;
collect(I, Sum) ->
    receive N -> collect(I - 1, Sum + N) end.
