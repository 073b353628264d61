%% spawn: the parent spawns N processes with spawn/1; each sends the atom 'done' to the
%% parent and returns (exits normally). The parent spawns all N, then receives N messages.
%% Timed: first spawn to last message received. Checksum: messages received (= N).
%% The parent keeps its message queue off its heap (process_flag message_queue_data): with
%% the default, each garbage collection of the spawning parent scans the up to N queued
%% messages, which makes the run quadratic in N (25 s against 2.5 s for 10^6 once).
%% Run: erl -noshell +S 2 +P 2000000 -pa DIR -run bench_spawn main [N]   (N = 1000000)
-module(bench_spawn).
-export([main/0, main/1]).

main() -> main([]).

main(Args) ->
    N = case Args of [] -> 1000000; [A] -> list_to_integer(A) end,
    process_flag(message_queue_data, off_heap),
    Parent = self(),
    T0 = erlang:monotonic_time(),
    spawn_all(N, Parent),
    Count = wait_all(N, 0),
    T1 = erlang:monotonic_time(),
    Seconds = erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1.0e9,
    io:format("RESULT spawn ~.6f ~b~n", [Seconds, Count]),
    erlang:halt(0).

spawn_all(0, _) -> ok;
spawn_all(I, Parent) ->
    spawn(fun() -> Parent ! done end),
    spawn_all(I - 1, Parent).

wait_all(0, Count) -> Count;
wait_all(I, Count) ->
    receive done -> wait_all(I - 1, Count + 1) end.
