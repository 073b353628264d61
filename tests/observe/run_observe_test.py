#!/usr/bin/env python3
"""Looks at a running executable from outside, one behaviour of observability per case.

    run_observe_test.py CASE --program OBSERVED --server SERVE_EXECUTABLE
    run_observe_test.py --list

OBSERVED is tests/observe/observed.c compiled; SERVE_EXECUTABLE a `lunaticc --serve` one
(tests/serve's cgi_tool_server). Every wait has a deadline far above what a quiet machine
needs, and polls rather than sleeps a fixed time, so that a loaded 2-core machine passes
too; timings are printed, never asserted (the lead times them on a quiet machine:
bench/metrics_ab.py). Exit status 0 if every check held; else each failed check is printed.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Failure, case_table, check, run_named_case  # noqa: E402  (tests/checks.py)

CASES, case = case_table()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()


def wait_for(what, predicate, timeout):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.2)


class Observed:
    """observed.c running with its metrics endpoint on a port of the system's choosing."""

    def __init__(self, program, args, env=None, metrics=True, ready_timeout=180):
        self.directory = tempfile.mkdtemp(prefix="observe-test-")
        self.stdout_path = os.path.join(self.directory, "stdout")
        self.stderr_path = os.path.join(self.directory, "stderr")
        environment = dict(os.environ)
        environment.update(env or {})
        if metrics:
            environment["LUNATIC_METRICS_LISTEN"] = "127.0.0.1:0"
            environment.setdefault("LUNATIC_LOG", "info")  # for the line that says where
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.process = subprocess.Popen([program, *args], stdout=out, stderr=err, env=environment)
        self.port = None
        if metrics:
            match = wait_for("the metrics address", lambda: re.search(r"metrics on http://127\.0\.0\.1:(\d+)/", self.stderr()), 30)
            self.port = int(match.group(1))
        count = args[0] if args else "10"
        started = time.time()
        wait_for("the program to be ready", lambda: self.exited() or f"ready {count}" in self.stdout(), ready_timeout)
        check(not self.exited(), f"the program ended early: {self.process.returncode}\n{self.stderr()[-2000:]}")
        print(f"ready after {time.time() - started:.1f} s")

    def stdout(self):
        with open(self.stdout_path) as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def exited(self):
        return self.process.poll() is not None

    def get(self, path):
        return http_get(f"http://127.0.0.1:{self.port}{path}")

    def stop(self):
        if not self.exited():
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def metric_value(text, sample):
    """The value of `sample` (a name with its labels, exactly as written) in exposition text."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    raise Failure(f"no sample {sample} in the metrics:\n{text}")


# --- metrics ---------------------------------------------------------------------------

@case
def metrics_text(o):
    """/metrics carries the guest's series and the runtime's, and promtool accepts it."""
    run = Observed(o.program, ["50"])
    try:
        status, content_type, text = run.get("/metrics")
        check(status == 200, f"/metrics answered {status}")
        check(content_type.startswith("text/plain; version=0.0.4"), f"content type {content_type}")
        check(metric_value(text, "observe_requests_total") == 7, "the guest's counter")
        check(metric_value(text, "observe_level") == 42.5, "the guest's gauge")
        check(metric_value(text, "observe_latency_count") == 8, "the guest's histogram count")
        check(metric_value(text, "observe_latency_sum") == 18, "the guest's histogram sum")
        check(metric_value(text, 'observe_latency_bucket{le="+Inf"}') == 8, "the guest's +Inf bucket")
        check(metric_value(text, 'observe_latency_bucket{le="1"}') == 2, "the guest's bucket le=1 (0.5 and 1)")
        # root, 50 waiters, the sleeper; the trapper, the killed waiter and the refuser ended
        alive = metric_value(text, "lunatic_processes_alive")
        check(alive == 52, f"lunatic_processes_alive is {alive}, expected 52")
        check(metric_value(text, "lunatic_processes_spawned_total") == 55, "spawned")
        check(metric_value(text, 'lunatic_processes_ended_total{cause="trap"}') == 1, "ended by a trap")
        check(metric_value(text, 'lunatic_processes_ended_total{cause="killed"}') == 1, "ended by a kill")
        check(metric_value(text, 'lunatic_processes_ended_total{cause="normal"}') == 1, "ended normally")
        check(metric_value(text, "lunatic_messages_sent_total") >= 53, "messages sent")
        check(metric_value(text, "lunatic_message_bytes_sent_total") >= 53 * 8, "bytes sent")
        check(metric_value(text, 'lunatic_mailbox_depth_processes{at_most="+Inf"}') == 52, "a mailbox depth per process")
        check(metric_value(text, 'lunatic_mailbox_depth_processes{at_most="0"}') == 52, "every mailbox empty")
        check(metric_value(text, "lunatic_reductions_total") > 0, "reductions")
        check(metric_value(text, 'lunatic_worker_busy_seconds_total{worker="0"}') > 0, "busy time")
        check('lunatic_worker_run_queue_length{worker="0"}' in text, "run queue length")
        check(metric_value(text, "lunatic_memory_pool_slots_in_use") >= 52, "memory slots in use")
        check(metric_value(text, "lunatic_tcp_connections") >= 1, "the scrape's own connection")
        check(metric_value(text, "lunatic_tcp_listeners") == 1, "the metrics listener")
        promtool = shutil.which("promtool")
        check(promtool is not None, "promtool is not installed (tools/setup.sh --tests)")
        result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
        check(result.returncode == 0, f"promtool check metrics: {result.returncode}\n{result.stdout}{result.stderr}")
        status, _, _ = run.get("/processes")
        check(status == 200, "/processes on the same listener")
        try:
            run.get("/nothing")
            check(False, "an unknown path answered 200")
        except urllib.error.HTTPError as error:
            check(error.code == 404, f"an unknown path answered {error.code}")
    finally:
        run.stop()


def raw_request(port, data, timeout=30):
    """Sends `data` as it is and returns what comes back until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        return answer.decode(errors="replace")


@case
def bad_requests(o):
    """Malformed requests get 400, other methods 405; a client that sends nothing holds up
    no scrape (it is dropped at its deadline, 5 s); the program goes on."""
    run = Observed(o.program, ["5"])
    try:
        answer = raw_request(run.port, b"GARBAGE\x00\x01 / HTTP/1.1\r\n\r\n")
        check(answer.startswith("HTTP/1.1 400 "), f"garbage: {answer[:80]!r}")
        answer = raw_request(run.port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 20000 + b"\r\n\r\n")
        check(answer.startswith("HTTP/1.1 400 "), f"a head past 8 KiB: {answer[:80]!r}")
        answer = raw_request(run.port, b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        check(answer.startswith("HTTP/1.1 405 "), f"POST: {answer[:80]!r}")
        answer = raw_request(run.port, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        check(answer.startswith("HTTP/1.1 200 ") and answer.endswith("\r\n\r\n"), f"HEAD: {answer[:200]!r}")
        connected = time.time()
        silent = [socket.create_connection(("127.0.0.1", run.port)) for _ in range(4)]
        started = time.time()
        status, _, text = run.get("/metrics")
        waited = time.time() - started
        check(status == 200 and "observe_requests_total 7" in text, "a scrape beside silent clients")
        # Answered before the silent clients' deadline: they held it up in no way.
        check(waited < 4.5, f"the scrape waited {waited:.1f} s beside silent clients")
        print(f"a scrape beside 4 silent clients took {waited:.2f} s")
        silent[0].settimeout(30)
        check(silent[0].recv(100) == b"", "a silent client is closed")
        print(f"a silent client was closed after {time.time() - connected:.1f} s")
        for s in silent:
            s.close()
        check(not run.exited(), "the program still runs")
    finally:
        run.stop()


@case
def prometheus_scrape(o):
    """A real Prometheus scrapes the program; its HTTP API then has a guest series and a
    runtime one."""
    prometheus = shutil.which("prometheus")
    check(prometheus is not None, "prometheus is not installed (tools/setup.sh --tests)")
    run = Observed(o.program, ["20"])
    directory = tempfile.mkdtemp(prefix="observe-prometheus-")
    server = None
    try:
        config = os.path.join(directory, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: lunatic\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{run.port}']\n")
        port = free_port()
        with open(os.path.join(directory, "log"), "w") as log:
            server = subprocess.Popen([prometheus, f"--config.file={config}",
                                       f"--storage.tsdb.path={os.path.join(directory, 'data')}",
                                       f"--web.listen-address=127.0.0.1:{port}"],
                                      stdout=log, stderr=log, cwd=directory)

        def query(expression):
            try:
                _, _, body = http_get(f"http://127.0.0.1:{port}/api/v1/query?" +
                                      urllib.parse.urlencode({"query": expression}), timeout=10)
            except OSError:
                return None
            answer = json.loads(body)
            if answer.get("status") != "success" or not answer["data"]["result"]:
                return None
            return float(answer["data"]["result"][0]["value"][1])

        started = time.time()
        guest = wait_for("Prometheus to have the guest's counter", lambda: query("observe_requests_total"), 180)
        check(guest == 7, f"observe_requests_total is {guest} in Prometheus")
        alive = wait_for("Prometheus to have lunatic_processes_alive", lambda: query("lunatic_processes_alive"), 60)
        check(alive == 22, f"lunatic_processes_alive is {alive} in Prometheus, expected 22")
        up = query('up{job="lunatic"}')
        check(up == 1, f"up is {up}")
        print(f"Prometheus had both series {time.time() - started:.1f} s after start")
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        run.stop()
        shutil.rmtree(directory, ignore_errors=True)


@case
def serve_metrics(o):
    """--serve's --metrics-listen: requests by status and their latency histogram."""
    log_path = tempfile.mktemp(prefix="observe-serve-")
    with open(log_path, "w") as log:
        server = subprocess.Popen([o.server, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                                   "--access-log", "off"], stdout=subprocess.DEVNULL, stderr=log,
                                  env=dict(os.environ, LUNATIC_LOG="info"))
    try:
        def read_log():
            with open(log_path) as f:
                return f.read()
        serving = wait_for("the server", lambda: re.search(r"serving on http://127\.0\.0\.1:(\d+)/", read_log()), 30)
        metrics = wait_for("the metrics address", lambda: re.search(r"metrics on http://127\.0\.0\.1:(\d+)/", read_log()), 30)
        for _ in range(3):
            status, _, _ = http_get(f"http://127.0.0.1:{serving.group(1)}/env")
            check(status == 200, f"the program answered {status}")
        try:
            http_get(f"http://127.0.0.1:{serving.group(1)}/status")
            check(False, "/status answered 200")
        except urllib.error.HTTPError as error:
            check(error.code == 404, f"the program answered {error.code}")
        # A request is counted once its answer is sent, which the client may see first: wait
        # for the fourth to be counted, then check every figure.
        def answered_four():
            _, _, text = http_get(f"http://127.0.0.1:{metrics.group(1)}/metrics")
            counted = re.search(r'^lunatic_serve_request_duration_seconds_count (\S+)$', text, re.M)
            return text if counted and float(counted.group(1)) >= 4 else None
        text = wait_for("four requests counted", answered_four, 10)
        check(metric_value(text, 'lunatic_serve_requests_total{status="200"}') == 3, "three 200s")
        check(metric_value(text, 'lunatic_serve_requests_total{status="404"}') == 1, "one 404")
        check(metric_value(text, 'lunatic_serve_request_duration_seconds_bucket{le="+Inf"}') == 4, "four latencies")
        check(metric_value(text, "lunatic_serve_request_duration_seconds_sum") > 0, "latency sum")
        check(metric_value(text, "lunatic_tcp_listeners") == 2, "the server's listener and the metrics one")
        promtool = shutil.which("promtool")
        check(promtool is not None, "promtool is not installed (tools/setup.sh --tests)")
        result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
        check(result.returncode == 0, f"promtool check metrics: {result.stdout}{result.stderr}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        os.unlink(log_path)


# --- the process table -------------------------------------------------------------------

def rows_of(table):
    """The table's process lines, split into fields, and its summary line."""
    lines = table.splitlines()
    check(lines and lines[0].split()[:2] == ["PID", "STATE"], f"no header: {lines[:1]}")
    summary = [line for line in lines if line.startswith("# ")]
    check(len(summary) == 1, "one summary line")
    rows = [line for line in lines[1:] if not line.startswith("#")]
    return rows, summary[0]


def check_table(table, waiters, root_links_to_second=True):
    rows, summary = rows_of(table)
    match = re.match(r"# (\d+) processes: (\d+) running, (\d+) runnable, (\d+) waiting, (\d+) done; listed in (\d+) us",
                     summary)
    check(match, f"summary line: {summary}")
    total = int(match.group(1))
    # root, the waiters, the sleeper (+ the busy one, if any)
    check(total == len(rows), f"the summary counts {total} rows, the table has {len(rows)}")
    waiting_rows = [row for row in rows if " waiting:message " in row and row.split()[6] == "wait_for_stop"]
    check(len(waiting_rows) == waiters + 1, f"{len(waiting_rows)} processes waiting for a message in wait_for_stop, "
                                            f"expected {waiters} and the root")
    sleepers = [row for row in rows if " waiting:timer " in row]
    check(len(sleepers) == 1, f"{len(sleepers)} sleepers")
    named = [row for row in rows if 'names="first waiter"' in row]
    check(len(named) == 1, "the registered waiter")
    by_id = {int(row.split()[0]): row for row in rows}
    root_id = min(by_id)
    root = by_id[root_id]
    check(" links=" in root, f"the root's links: {root}")
    monitored = [row for row in rows if f"monitored_by={root_id}" in row]
    check(len(monitored) == 1, "the monitored waiter")
    for row in rows:
        fields = row.split()
        check(len(fields) >= 7 and all(field.isdigit() for field in [fields[0], *fields[2:6]]), f"a row: {row}")
    print(f"table: {total} processes, listed in {int(match.group(6)) / 1000:.1f} ms by the runtime")
    return total, int(match.group(6))


@case
def process_table_under_load(o):
    """100,000 processes parked in receive and one computing without end: /processes lists
    each once, with their states, functions, names, links and monitors, while /metrics
    counts them too."""
    count = 100000
    run = Observed(o.program, [str(count), "busy"], ready_timeout=200)
    try:
        for attempt in range(3):
            started = time.time()
            status, _, table = run.get("/processes")
            elapsed = time.time() - started
            check(status == 200, f"/processes answered {status}")
            total, runtime_us = check_table(table, count)
            check(total == count + 3, f"{total} processes listed, expected {count + 3}")
            print(f"/processes #{attempt + 1}: {len(table)} bytes in {elapsed * 1000:.0f} ms over HTTP, "
                  f"{runtime_us / 1000:.1f} ms to list (a loaded machine: not a measurement)")
        busy = [row for row in table.splitlines() if row.split()[1:2] in (["running"], ["runnable"])]
        check(len(busy) >= 1, "the busy process is running or runnable")
        started = time.time()
        _, _, text = run.get("/metrics")
        print(f"/metrics with {count} processes: {(time.time() - started) * 1000:.0f} ms over HTTP")
        check(metric_value(text, "lunatic_processes_alive") == count + 3, "alive, as the table")
    finally:
        run.stop()


@case
def sigusr1_dump(o):
    """SIGUSR1 writes the table to stderr, from a thread of the runtime; the program goes on."""
    run = Observed(o.program, ["30"], metrics=False)
    try:
        for dump in range(1, 3):
            run.process.send_signal(signal.SIGUSR1)
            wait_for("the dump", lambda: run.stderr().count("lunatic: process table (SIGUSR1)") >= dump and
                     run.stderr().count(" done; listed in ") >= dump, 60)
        text = run.stderr()
        table = text[text.rindex("lunatic: process table (SIGUSR1)"):].split("\n", 1)[1]
        table = table[:table.index(" us\n") + 4]
        total, _ = check_table(table, 30)
        check(total == 32, f"{total} processes listed, expected 32")
        check(not run.exited(), "the program still runs")
    finally:
        run.stop()


# --- the log -------------------------------------------------------------------------------

def run_to_end(o, env):
    result = subprocess.run([o.program, "3", "exit"], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, **env))
    check(result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-2000:]}")
    check("ready 3" in result.stdout, "the program's stdout")
    check("guest: a line of my own {not json}\n" in result.stderr, "the guest's stderr, as it wrote it")
    return [line for line in result.stderr.splitlines() if not line.startswith("guest: ")]


@case
def log_levels(o):
    """Debug: spawns, ends by cause, kills, link and monitor signals, refused capabilities,
    each with its process; warn (the default) only the failure; error not even that."""
    debug = "\n".join(run_to_end(o, {"LUNATIC_LOG": "debug"}))
    for pattern in [r"lunatic: debug: process (\d+) spawned by 1 on waiter",
                    r"lunatic: debug: process \d+ spawned by 1 on trapper",
                    r"lunatic: debug: process \d+ ended normally",
                    r"lunatic: debug: process \d+ ended by unreachable",
                    r"lunatic: debug: process \d+ ended by killed",
                    r"lunatic: debug: process \d+ is to end: killed",
                    r"lunatic: debug: process 1 is told of its link \d+, which failed",
                    r"lunatic: debug: process 1 is told that process \d+ ended",
                    r"lunatic: debug: process \d+: spawn refused: the process may not spawn processes",
                    r"lunatic: process \d+ failed: unreachable at trapper"]:
        check(re.search(pattern, debug), f"no line /{pattern}/ at debug:\n{debug}")
    warn = run_to_end(o, {})
    check(len(warn) == 1 and re.match(r"lunatic: process \d+ failed: unreachable at trapper", warn[0]),
          f"the default level: {warn}")
    quiet = run_to_end(o, {"LUNATIC_LOG": "error"})
    check(quiet == [], f"at error level: {quiet}")


@case
def log_json(o):
    """LUNATIC_LOG_FORMAT=json: each of the runtime's lines is one JSON object with its level,
    event and process; the guest's own stderr line stays as it wrote it."""
    lines = run_to_end(o, {"LUNATIC_LOG": "debug", "LUNATIC_LOG_FORMAT": "json"})
    check(len(lines) > 10, f"{len(lines)} lines")
    events = set()
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise Failure(f"not JSON ({error}): {line}")
        check(isinstance(event, dict) and {"time", "level", "event", "message"} <= event.keys(), f"fields: {line}")
        check(event["level"] in ("debug", "warn"), f"level: {line}")
        check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", event["time"]), f"time: {line}")
        events.add(event["event"])
        if event["event"] in ("spawn", "exit", "kill", "process_failed"):
            check(isinstance(event.get("process"), int) and event["process"] > 0, f"process id: {line}")
        if event["event"] == "spawn":
            check(event.get("parent") == (0 if event["process"] == 1 else 1), f"parent: {line}")
    for name in ("spawn", "exit", "kill", "link_signal", "monitor_signal", "refused", "process_failed"):
        check(name in events, f"no {name} event in {sorted(events)}")


if __name__ == "__main__":
    sys.exit(run_named_case(CASES, ("--program", "--server")))
