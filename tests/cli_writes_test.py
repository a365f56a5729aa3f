#!/usr/bin/env python3
"""Every output a command promises is checked (issue 15, class 1;
docs/reliability.md, "Outputs").

  usage: cli_writes_test.py PATH/TO/phase-router [dump]

Each subcommand's standard output into /dev/full and into a pipe whose
reader is gone (SIGPIPE ignored: exit 1 with "Broken pipe"; SIGPIPE at its
default: killed by it, never exit 0), the --stats line into /dev/full, and
files (-o, bench --json, dump --out) past a file-size limit (RLIMIT_FSIZE,
as `ulimit -f`) and on a full 64 KiB tmpfs where one can be mounted: exit 1
with one error line, no file left in place of a good one, no temporary
file. `bench --json ""` is refused (exit 2) and an unwritable --json fails
before anything is measured. With "dump" as the second argument the dump
cases run too (builds without libpng have no dump).
"""
import glob
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from hostile_tally import Tally

tally = Tally("cli_writes")
check = tally.check


def one_error_line(stderr, *words):
    lines = stderr.splitlines()
    return (len(lines) == 1 and lines[0].startswith("phase-router: error: ") and
            all(w in lines[0] for w in words))


def run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, fsize=None,
        sigpipe_ignored=False, timeout=120):
    tally.runs += 1

    def child():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        signal.signal(signal.SIGPIPE,
                      signal.SIG_IGN if sigpipe_ignored else signal.SIG_DFL)
    return subprocess.run([CLI] + args, stdout=stdout, stderr=stderr,
                          preexec_fn=child, timeout=timeout)


def closed_pipe_run(args, sigpipe_ignored):
    """args with standard output into a pipe whose read end is closed."""
    r, w = os.pipe()
    os.close(r)
    try:
        return run(args, stdout=w, sigpipe_ignored=sigpipe_ignored)
    finally:
        os.close(w)


def leftovers(pattern):
    return glob.glob(pattern + ".tmp.*")


CLI = os.path.realpath(sys.argv[1])
HAS_DUMP = len(sys.argv) > 2 and sys.argv[2] == "dump"
# Sanitizer builds (tests/CMakeLists.txt sets the variable) skip RLIMIT_FSIZE.
RLIMITS = not os.environ.get("PHASE_ROUTER_TEST_SANITIZER")
os.environ.pop("PHASE_ROUTER_TARGET", None)
tmp = tempfile.mkdtemp()
os.chdir(tmp)
try:
    with open("s.txt", "w") as f:
        f.write("2 2\n")
    with open("t.txt", "w") as f:
        f.write("2 1 1\n")
    # 60000 sources: about 0.5 MB of routes text, over any pipe buffer.
    with open("sb.txt", "w") as f:
        f.write(" ".join(["40"] * 60000) + "\n")
    with open("tb.txt", "w") as f:
        f.write(" ".join(["30000"] * 100) + "\n")
    small = ["--s-degrees", "s.txt", "--t-degrees", "t.txt", "-k", "2"]
    big = ["--s-degrees", "sb.txt", "--t-degrees", "tb.txt", "-k", "8"]

    # ---- standard output into a full device
    stdout_commands = [
        ["route"] + small,
        ["route"] + big,
        ["stats"] + small,
        ["stats", "--json"] + small,
        ["demo"],
        ["targets"],
        ["targets", "--json"],
        ["bench", "--max-side", "64", "--repeat", "1"],
        ["--help"],
        ["route", "--help"],
        ["--version"],
    ]
    if HAS_DUMP:
        stdout_commands.append(["dump", "--demo", "--nodes", "16", "--out", "dump_full"])
    with open("/dev/full", "w") as full:
        for args in stdout_commands:
            r = run(args, stdout=full)
            err = r.stderr.decode(errors="replace")
            check(r.returncode == 1, "%s > /dev/full: exit %d (want 1)" % (args, r.returncode))
            check(one_error_line(err, "cannot write standard output"),
                  "%s > /dev/full: one error line: %r" % (args, err))

    # ---- the --stats line into a full device (its error line cannot be
    # printed either; the status says it)
    with open("/dev/full", "w") as full:
        r = run(["route", "--stats"] + small, stderr=full)
        check(r.returncode == 1, "route --stats 2>/dev/full: exit %d (want 1)" % r.returncode)
        r = run(["route", "--stats", "-o", "stats_routes.txt"] + small, stderr=full)
        check(r.returncode == 1, "route -o --stats 2>/dev/full: exit %d" % r.returncode)

    # ---- a pipe whose reader is gone
    for args in (["route"] + big, ["demo"], ["stats"] + small, ["targets"]):
        r = closed_pipe_run(args, sigpipe_ignored=True)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 1, "%s | closed, SIGPIPE ignored: exit %d (want 1)" %
              (args, r.returncode))
        check(one_error_line(err, "cannot write standard output", "Broken pipe"),
              "%s | closed: one error line: %r" % (args, err))
        r = closed_pipe_run(args, sigpipe_ignored=False)
        check(r.returncode == -signal.SIGPIPE,
              "%s | closed, SIGPIPE default: status %d (want killed by SIGPIPE)" %
              (args, r.returncode))

    # ---- files past a file-size limit (ulimit -f): refused whole. (Not in
    # sanitizer builds: TSan's runtime itself dies of SIGBUS under the limit.)
    if RLIMITS:
        with open("out.txt", "w") as f:
            f.write("precious\n")
        r = run(["route"] + big + ["-o", "out.txt"], fsize=64 * 1024)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 1, "route -o past RLIMIT_FSIZE: exit %d (want 1)" % r.returncode)
        check(one_error_line(err, "cannot write", "out.txt", "File too large"),
              "route -o past RLIMIT_FSIZE: one error line: %r" % err)
        check(open("out.txt").read() == "precious\n", "route -o past RLIMIT_FSIZE: out.txt replaced")
        check(not leftovers("out.txt"), "route -o past RLIMIT_FSIZE: temporary file left")
    r = run(["route"] + big + ["-o", "out.txt"])
    check(r.returncode == 0 and os.path.getsize("out.txt") > 64 * 1024,
          "route -o without the limit: exit %d" % r.returncode)

    # bench --json: refused when empty, opened before measuring, whole or absent
    r = run(["bench", "--max-side", "64", "--repeat", "1", "--json", ""])
    check(r.returncode == 2 and one_error_line(r.stderr.decode(), "--json", "empty"),
          "bench --json '': exit %d, %r" % (r.returncode, r.stderr))
    start = time.time()
    try:
        r = run(["bench", "--repeat", "1000", "--json", "nodir/bench.json"], timeout=30)
        check(r.returncode == 1 and one_error_line(r.stderr.decode(), "nodir/bench.json"),
              "bench --json into a missing directory: exit %d, %r" % (r.returncode, r.stderr))
        check(time.time() - start < 10, "bench --json nodir/...: failed only after measuring")
    except subprocess.TimeoutExpired:
        check(False, "bench --json into a missing directory: still measuring after 30 s")
    if RLIMITS:
        r = run(["bench", "--max-side", "1024", "--repeat", "1", "--json", "bench.json"], fsize=1024)
        check(r.returncode == 1 and one_error_line(r.stderr.decode(), "bench.json", "File too large"),
              "bench --json past RLIMIT_FSIZE: exit %d, %r" % (r.returncode, r.stderr))
        check(not os.path.exists("bench.json") and not leftovers("bench.json"),
              "bench --json past RLIMIT_FSIZE: a partial file or a temporary file is left")
    r = run(["bench", "--max-side", "1024", "--repeat", "1", "--json", "bench.json"])
    check(r.returncode == 0 and open("bench.json").read().rstrip().endswith("}"),
          "bench --json: exit %d, whole JSON" % r.returncode)

    if HAS_DUMP and RLIMITS:
        r = run(["dump", "--demo", "--nodes", "64", "--out", "dump_limited"], fsize=4096)
        check(r.returncode == 1 and one_error_line(r.stderr.decode(), "File too large"),
              "dump past RLIMIT_FSIZE: exit %d, %r" % (r.returncode, r.stderr))
        check(not glob.glob("dump_limited/*.tmp.*"), "dump past RLIMIT_FSIZE: temporary files left")

    # ---- a full file system (a 64 KiB tmpfs), where this user may mount one
    mounted = False
    os.mkdir("small")
    if os.geteuid() == 0 and shutil.which("mount"):
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", "small"],
                                 stderr=subprocess.DEVNULL).returncode == 0
    if mounted:
        try:
            r = run(["route"] + big + ["-o", "small/out.txt"])
            check(r.returncode == 1 and one_error_line(r.stderr.decode(), "small/out.txt",
                                                       "No space left"),
                  "route -o on a full tmpfs: exit %d, %r" % (r.returncode, r.stderr))
            check(os.listdir("small") == [], "route -o on a full tmpfs: files left: %s" %
                  os.listdir("small"))
            if HAS_DUMP:
                r = run(["dump", "--demo", "--nodes", "256", "--out", "small/d"])
                check(r.returncode == 1 and one_error_line(r.stderr.decode(), "No space left"),
                      "dump on a full tmpfs: exit %d, %r" % (r.returncode, r.stderr))
                check(not glob.glob("small/d/*.tmp.*"), "dump on a full tmpfs: temporary files")
        finally:
            subprocess.run(["umount", "small"])
    else:
        print("cli_writes: no tmpfs here (not root or no mount); RLIMIT_FSIZE covers files")
finally:
    os.chdir("/")
    shutil.rmtree(tmp, ignore_errors=True)

tally.finish()
