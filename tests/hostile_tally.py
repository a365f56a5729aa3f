"""The tally of a hostile-use test (cli_messages, cli_writes, cli_signals):
checks made, each failure named on stderr as it happens, commands run, and
the summary line and exit status ctest reads."""
import sys


class Tally:
    def __init__(self, name):
        self.name = name
        self.checks = 0
        self.runs = 0  # commands run (hostile ones, and a few good ones beside them)
        self.failures = []

    def check(self, ok, what):
        self.checks += 1
        if not ok:
            self.failures.append(what)
            print("FAIL: " + what, file=sys.stderr)

    def finish(self):
        print("%s: %d commands run, %d checks, %d failed" %
              (self.name, self.runs, self.checks, len(self.failures)))
        sys.exit(1 if self.failures else 0)
