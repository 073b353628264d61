"""What the test scripts that check many things in one run share: a tally of named checks,
each passing or failing with its list of problems (tests/cli, tests/test_mode)."""
import argparse


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def expect(self, name, problems):
        """Records the check `name`: passed if `problems` (a list of strings) is empty."""
        if problems:
            self.failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            self.passed += 1
            print(f"ok   {name}")


def compare(what, actual, expected):
    """A problem if `actual` is not `expected`."""
    return [] if actual == expected else [f"{what} is {actual!r}, expected {expected!r}"]


# What the scripts that run one named case a call share (tests/observe, tests/serve,
# tests/debug): a case raises Failure at the first check that does not hold.
class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def case_table():
    """The cases by name, and the decorator that adds a function to them."""
    cases = {}

    def case(function):
        cases[function.__name__] = function
        return function
    return cases, case


def run_named_case(cases, options=(), prepare=None):
    """The main() of such a script: `SCRIPT --list` prints the cases' names; `SCRIPT CASE
    --OPTION VALUE...` (each of `options`) runs one, after `prepare` (if given) has seen the
    parsed options, and prints "ok CASE" or "FAIL CASE: why". Returns the exit status."""
    parser = argparse.ArgumentParser()
    parser.add_argument("case", nargs="?")
    parser.add_argument("--list", action="store_true")
    for option in options:
        parser.add_argument(option)
    o = parser.parse_args()
    if o.list:
        print("\n".join(cases))
        return 0
    if prepare:
        prepare(o)
    try:
        cases[o.case](o)
    except Failure as failure:
        print(f"FAIL {o.case}: {failure}")
        return 1
    print(f"ok {o.case}")
    return 0
