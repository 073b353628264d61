%% The cross-node benchmarks (README.md), Erlang's: run on node A with node B started with
%% this module on its code path; prints RESULT lines as bench-distributed does.
%%   erl -name a@127.0.0.1 -setcookie C -noshell -pa DIR -run bench_dist main pingpong N B
%%   erl -name a@127.0.0.1 -setcookie C -noshell -pa DIR -run bench_dist main stream N SIZE B
-module(bench_dist).
-export([main/1, ponger/0, sink/0]).

main(["pingpong", N, Node]) ->
    Count = list_to_integer(N),
    Pong = spawn(wait_for(list_to_atom(Node)), ?MODULE, ponger, []),
    Pong ! {self()},
    Start = erlang:monotonic_time(),
    Last = ping(Pong, Count, 0),
    Seconds = seconds(Start),
    Pong ! stop,
    io:format("RESULT pingpong ~.6f ~b roundtrips_per_s=~b~n", [Seconds, Last, round(Count / Seconds)]),
    halt(0);
main(["stream", N, Size, Node]) ->
    Count = list_to_integer(N),
    Payload = binary:copy(<<0>>, list_to_integer(Size)),
    Sink = spawn(wait_for(list_to_atom(Node)), ?MODULE, sink, []),
    Sink ! {self(), Count},
    Start = erlang:monotonic_time(),
    stream(Sink, Count, Payload),
    receive {bytes, Bytes} -> ok end,
    Seconds = seconds(Start),
    io:format("RESULT stream ~.6f ~b msgs_per_s=~b~n",
              [Seconds, Bytes div max(1, byte_size(Payload)), round(Count / Seconds)]),
    halt(0).

wait_for(Node) ->
    case net_kernel:connect_node(Node) of
        true -> Node;
        false -> timer:sleep(50), wait_for(Node)
    end.

seconds(Start) -> erlang:convert_time_unit(erlang:monotonic_time() - Start, native, microsecond) / 1.0e6.

ping(_Pong, 0, Value) -> Value;
ping(Pong, N, Value) ->
    Pong ! {value, Value},
    receive {value, Next} -> ping(Pong, N - 1, Next) end.

ponger() -> receive {From} -> pong(From) end.
pong(From) ->
    receive
        {value, V} -> From ! {value, V + 1}, pong(From);
        stop -> ok
    end.

stream(_Sink, 0, _Payload) -> ok;
stream(Sink, N, Payload) -> Sink ! Payload, stream(Sink, N - 1, Payload).

sink() -> receive {From, Count} -> From ! {bytes, sink(Count, 0)} end.
sink(0, Bytes) -> Bytes;
sink(N, Bytes) -> receive Payload -> sink(N - 1, Bytes + byte_size(Payload)) end.
