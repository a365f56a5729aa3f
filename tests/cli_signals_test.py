#!/usr/bin/env python3
"""Interrupted runs leave no temporary file (issue 15, class 2;
docs/reliability.md, "Interrupted runs").

  usage: cli_signals_test.py PATH/TO/phase-router

`route -o` ended by SIGINT, SIGTERM or SIGHUP (i) while it waits for its
input (a FIFO nobody writes, sent by `timeout -s SIG`) and (ii) while it
routes and writes a large output (sent as soon as it holds its temporary
output open), and `bench --json` interrupted while it measures: the process
ends by that signal, no `*.tmp.*` file is left, and an existing output is
untouched. Where the file system has O_TMPFILE, SIGKILL leaves nothing
either; an ignored SIGHUP (nohup) stays ignored.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from hostile_tally import Tally

tally = Tally("cli_signals")
check = tally.check


def counted(result):
    tally.runs += 1
    return result


def has_output_open(pid, directory):
    """Whether process pid holds a temporary output in directory open: a
    named PATH.tmp.XXXXXX, or an unnamed O_TMPFILE one ("#123 (deleted)")."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith(directory + "/") and (".tmp." in target or
                                                   target.endswith("(deleted)")):
            return True
    return False


def wait_open(proc, directory, seconds=20):
    """Polls (tightly) until proc holds a temporary output open; False if it
    ended first or the time ran out."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if has_output_open(proc.pid, directory):
            return True
        if proc.poll() is not None:
            return False
    return False


def supports_unnamed_files(directory):
    try:
        os.close(os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o600))
        return True
    except (OSError, AttributeError):
        return False


CLI = os.path.realpath(sys.argv[1])
os.environ.pop("PHASE_ROUTER_TARGET", None)
tmp = os.path.realpath(tempfile.mkdtemp())
os.chdir(tmp)
try:
    with open("t.txt", "w") as f:
        f.write("2 1 1\n")
    os.mkfifo("s.fifo")
    # 300000 sources of degree 40, k = 16: about 14 MB of routes text.
    with open("sb.txt", "w") as f:
        f.write(" ".join(["40"] * 300000) + "\n")
    with open("tb.txt", "w") as f:
        f.write(" ".join(["150000"] * 100) + "\n")

    names = {signal.SIGINT: "INT", signal.SIGTERM: "TERM", signal.SIGHUP: "HUP"}
    # Both kinds of temporary file: unnamed (O_TMPFILE, where the file
    # system has it) and named ones (PHASE_ROUTER_NAMED_TEMP_FILES=1), whose
    # removal is the signal handlers' work.
    for named in ("", "1"):
        os.environ["PHASE_ROUTER_NAMED_TEMP_FILES"] = named
        kind = "named" if named else "default"
        # (i) waiting for input: `timeout -s SIG 1` ends it after one second.
        for sig, name in names.items():
            with open("out.txt", "w") as f:
                f.write("precious\n")
            r = counted(subprocess.run)(
                ["timeout", "--preserve-status", "-s", name, "1", CLI, "route", "--s-degrees",
                 "s.fifo", "--t-degrees", "t.txt", "-k", "1", "-o", "out.txt"],
                stderr=subprocess.PIPE, timeout=60)
            check(r.returncode == 128 + sig,
                  "route -o (%s), SIG%s while reading: status %d (want %d)" %
                  (kind, name, r.returncode, 128 + sig))
            check(not glob.glob("out.txt.tmp.*"),
                  "route -o (%s), SIG%s while reading: left %s" %
                  (kind, name, glob.glob("out.txt.tmp.*")))
            check(open("out.txt").read() == "precious\n",
                  "route -o (%s), SIG%s while reading: out.txt changed" % (kind, name))

        # (ii) while writing a large output: the signal as soon as the output
        # is open (the tool opens it before reading; this catches it at the
        # latest while the text is being written).
        for sig, name in names.items():
            for path in glob.glob("big.txt*"):
                os.unlink(path)
            proc = counted(subprocess.Popen)(
                [CLI, "route", "--s-degrees", "sb.txt", "--t-degrees", "tb.txt", "-k", "16",
                 "--threads", "1", "-o", "big.txt"], stderr=subprocess.PIPE)
            seen = wait_open(proc, tmp)
            if seen:
                proc.send_signal(sig)
            proc.communicate(timeout=120)
            check(seen, "route -o big.txt (%s): the output was never seen open (exit %s)" %
                  (kind, proc.returncode))
            if seen:
                check(proc.returncode in (-sig, 0),
                      "route -o (%s), SIG%s while running: status %d" %
                      (kind, name, proc.returncode))
                check(not glob.glob("big.txt.tmp.*"),
                      "route -o (%s), SIG%s while running: left %s" %
                      (kind, name, glob.glob("big.txt.tmp.*")))
    os.environ.pop("PHASE_ROUTER_NAMED_TEMP_FILES", None)

    # bench --json: measuring takes seconds; interrupted, no JSON at all.
    proc = counted(subprocess.Popen)([CLI, "bench", "--repeat", "50", "--json", "bench.json"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = wait_open(proc, tmp)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    check(seen and proc.returncode == -signal.SIGINT,
          "bench --json, SIGINT while measuring: seen %s, status %d" % (seen, proc.returncode))
    check(not os.path.exists("bench.json") and not glob.glob("bench.json.tmp.*"),
          "bench --json, SIGINT: left %s" % glob.glob("bench.json*"))

    # SIGKILL cannot be caught: where the file system has O_TMPFILE the
    # temporary file has no name until the output is complete, so even
    # SIGKILL leaves nothing.
    if supports_unnamed_files(tmp):
        with open("out.txt", "w") as f:
            f.write("precious\n")
        proc = counted(subprocess.Popen)([CLI, "route", "--s-degrees", "s.fifo", "--t-degrees",
                                          "t.txt", "-k", "1", "-o", "out.txt"],
                                         stderr=subprocess.PIPE)
        seen = wait_open(proc, tmp)
        proc.kill()
        proc.communicate(timeout=60)
        check(seen and proc.returncode == -signal.SIGKILL,
              "route -o, SIGKILL while reading: seen %s, status %d" % (seen, proc.returncode))
        check(not glob.glob("out.txt.tmp.*") and open("out.txt").read() == "precious\n",
              "route -o, SIGKILL while reading: left %s" % glob.glob("out.txt*"))
    else:
        print("cli_signals: no O_TMPFILE here; SIGKILL not tried")

    # An ignored signal stays ignored (nohup): the run completes.
    with open("out.txt", "w") as f:
        f.write("precious\n")
    proc = counted(subprocess.Popen)(
        [CLI, "route", "--s-degrees", "s.fifo", "--t-degrees", "t.txt", "-k", "1", "-o",
         "out.txt"], stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    seen = wait_open(proc, tmp)
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    with open("s.fifo", "w") as f:
        f.write("1 1\n")
    _, err = proc.communicate(timeout=60)
    check(seen and proc.returncode == 0 and open("out.txt").read() != "precious\n",
          "route under nohup (SIGHUP ignored): status %d, %r" % (proc.returncode, err))
finally:
    os.chdir("/")
    shutil.rmtree(tmp, ignore_errors=True)

tally.finish()
