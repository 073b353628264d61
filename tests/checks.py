"""What the test scripts that check many things in one run share: a tally of named checks,
each passing or failing with its list of problems (tests/cli, tests/test_mode)."""


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
