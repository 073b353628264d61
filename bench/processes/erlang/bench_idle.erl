%% idle: spawn N processes (default heap) that each send 'ready' to the parent and then
%% block in receive. Once all N are ready, read VmRSS of the OS process from
%% /proc/<os pid>/status and report (RSS - RSS before spawning) / N in KiB, then release
%% each with 'stop'; each answers 'bye' and exits. The parent's list of pids (two words a
%% process) is counted in the figure. Timed: first spawn to the N-th 'ready'.
%% Checksum: 'bye' messages received (= N). The parent keeps its message queue off its heap,
%% as in bench_spawn.erl, as it receives N messages while it spawns.
%% Run: erl -noshell +S 2 +P 2000000 -pa DIR -run bench_idle main [N]   (N = 100000)
-module(bench_idle).
-export([main/0, main/1]).

main() -> main([]).

main(Args) ->
    N = case Args of [] -> 100000; [A] -> list_to_integer(A) end,
    process_flag(message_queue_data, off_heap),
    Self = self(),
    erlang:garbage_collect(),
    Before = rss_kib(),
    T0 = erlang:monotonic_time(),
    Pids = spawn_all(N, Self, []),
    wait_for(ready, N),
    T1 = erlang:monotonic_time(),
    After = rss_kib(),
    [Pid ! stop || Pid <- Pids],
    Byes = wait_for(bye, N),
    Seconds = erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1.0e9,
    io:format("RESULT idle ~.6f ~b kib_per_process=~.3f rss_before_kib=~b rss_after_kib=~b~n",
              [Seconds, Byes, (After - Before) / max(N, 1), Before, After]),
    erlang:halt(0).

spawn_all(0, _, Acc) -> Acc;
spawn_all(I, Parent, Acc) ->
    Pid = spawn(fun() -> Parent ! ready, receive stop -> Parent ! bye end end),
    spawn_all(I - 1, Parent, [Pid | Acc]).

wait_for(Msg, N) -> wait_for(Msg, N, 0).
wait_for(_, 0, Count) -> Count;
wait_for(Msg, I, Count) ->
    receive Msg -> wait_for(Msg, I - 1, Count + 1) end.

rss_kib() ->
    {ok, Status} = file:read_file("/proc/" ++ os:getpid() ++ "/status"),
    {match, [Kib]} = re:run(Status, "VmRSS:\\s+([0-9]+) kB", [{capture, all_but_first, list}]),
    list_to_integer(Kib).
