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
