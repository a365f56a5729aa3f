#!/usr/bin/env python3
"""One exit-status rule and one way of echoing input, for every subcommand
and option (issue 15, class 7; docs/reliability.md, "Messages and exit
statuses"; the rule: tools/cli/command_line.h).

  usage: cli_messages_test.py PATH/TO/phase-router COMMAND... [--mpi MPIRUN PATH/TO/phase-router-mpi]

(COMMAND...: the subcommands of this build.) For every subcommand: an
unknown option, an extra argument, a repeated option and a missing value
exit 2 with one line that names the option (never CLI11's "At Most 1
required but received 2" or "A subcommand is required"). Hostile values
(escape sequences, newlines, bytes that are not UTF-8, C1 controls, 5000
characters) in option values, paths, file contents, option names and
subcommand names come back as one printable line of bounded length. What
only running can tell (a row range past M, a bad PHASE_ROUTER_TARGET, a
--scale too large for the input's pictures, a missing file) exits 1;
options that exclude each other (--method arcs with --no-align) exit 2.
With --mpi, phase-router-mpi's messages follow the same rules.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from hostile_tally import Tally

tally = Tally("cli_messages")
check = tally.check


def printable_line(data, program, limit=1200):
    """data (bytes) is one line "<program>: error: ...": valid UTF-8, no
    control characters (C0, DEL, C1) but its final newline, at most limit
    characters."""
    if not data.endswith(b"\n") or data.count(b"\n") != 1:
        return False
    try:
        text = data[:-1].decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        return False
    return text.startswith(program + ": error: ") and len(text) <= limit


def run(args, env=None, program=None):
    tally.runs += 1
    cmd = (program or [CLI]) + args
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                          timeout=120)


def expect(status, args, words=(), what=None, env=None, program=None, name="phase-router"):
    what = what or " ".join(a.decode(errors="replace") if isinstance(a, bytes) else a
                            for a in args)[:120]
    r = run(args, env=env, program=program)
    check(r.returncode == status, "%s: exit %d (want %d): %r" % (what, r.returncode, status,
                                                               r.stderr[:300]))
    check(printable_line(r.stderr, name), "%s: not one printable line: %r" % (what, r.stderr[:400]))
    text = r.stderr.decode("utf-8", errors="replace")
    for word in words:
        check(word in text, "%s: message lacks %r: %r" % (what, word, text[:400]))
    for raw in ("At Most", "A subcommand is required", "required but received"):
        check(raw not in text, "%s: CLI11's raw wording %r: %r" % (what, raw, text[:300]))
    check(r.stdout == b"", "%s: wrote to stdout" % what)
    return text


args = sys.argv[1:]
mpi = None
if "--mpi" in args:
    at = args.index("--mpi")
    mpi = [args[at + 1], os.path.realpath(args[at + 2])]
    args = args[:at]
CLI = os.path.realpath(args[0])
COMMANDS = args[1:]
os.environ.pop("PHASE_ROUTER_TARGET", None)
tmp = tempfile.mkdtemp()
os.chdir(tmp)

HOSTILE = {
    "escape": "a\x1b[31mred\x1b[0m",
    "newline": "two\nlines",
    "carriage return and tab": "a\rb\tc",
    "bell and delete": "x\x07\x7fy",
    "not UTF-8": b"bad\xff\xfebytes",
    "C1 control": "c1\u009bz",
    "long": "x" * 5000,
    "long, escapes inside": ("ab\x1b" * 2000),
}

try:
    with open("s.txt", "w") as f:
        f.write("2 2\n")
    with open("t.txt", "w") as f:
        f.write("2 1 1\n")
    with open("s300.txt", "w") as f:
        f.write(" ".join(["150"] * 300) + "\n")
    with open("t300.txt", "w") as f:
        f.write(" ".join(["150"] * 300) + "\n")
    with open("esc.txt", "wb") as f:
        f.write(b"1 \x1b[2J\x1b[31m 2\n")
    with open("esc.pbm", "wb") as f:
        f.write(b"P\x1b[31m\n")
    with open("long.txt", "w") as f:
        f.write("1 " + "9" * 5000 + "\n")
    deg = ["--s-degrees", "s.txt", "--t-degrees", "t.txt", "-k", "2"]

    # What each subcommand needs to run, and one of its value options.
    base = {
        "route": (["route"] + deg, "--seed"),
        "stats": (["stats"] + deg, "--seeds"),
        "demo": (["demo"], "--seed"),
        "targets": (["targets"], None),
        "bench": (["bench", "--max-side", "64", "--repeat", "1"], "--tiling"),
        "dump": (["dump", "--demo", "--nodes", "16", "--out", "d"], "--seed"),
    }

    # ---- the top level
    expect(2, [], ["a subcommand is required", "route", "stats"], "no subcommand")
    expect(2, ["--frob"], ["a subcommand is required", "'--frob'"], "an option before any subcommand")
    expect(2, ["frobnicate"], ["unknown subcommand", "'frobnicate'", "route"])

    # ---- every subcommand: the same rule, messages that name the option
    for command in COMMANDS:
        argv, value_option = base[command]
        expect(2, argv + ["--frob"], ["'--frob'", "no such option", command],
               "%s --frob" % command)
        expect(2, argv + ["stray"], ["'stray'", command], "%s with an extra argument" % command)
        if value_option:
            good = {"--seed": "1", "--seeds": "0:2", "--tiling": "on"}[value_option]
            expect(2, argv + [value_option, good, value_option, good],
                   [value_option, "given 2 times"], "%s %s twice" % (command, value_option))
            expect(2, argv + [value_option], [value_option, "needs a value"],
                   "%s %s without a value" % (command, value_option))
        if command != "targets":
            expect(2, argv + ["--threads", "-3"], ["--threads", "'-3'"],
                   "%s --threads -3" % command)

    # ---- hostile values: one printable line of bounded length, the right status
    for label, value in HOSTILE.items():
        v = value if isinstance(value, bytes) else value.encode()
        cases = [
            (2, ["route"] + deg + ["--select", v]),
            (2, ["route"] + deg + ["--method", v]),
            (2, ["route"] + deg + ["--tiling", v]),
            (2, ["route"] + deg + ["--seed", v]),
            (2, ["route"] + deg[:-1] + [v]),  # -k
            (2, ["route"] + deg + ["--rows", v]),
            (2, ["route"] + deg + ["--memory-limit", v]),
            (2, ["route"] + deg + ["--target", v]),
            (2, ["route"] + deg + [b"--" + v]),
            (2, ["route"] + deg + [v]),
            (2, [v]),
            (1, ["route", "--s-degrees", v, "--t-degrees", "t.txt", "-k", "2"]),
            (1, ["route", "--s", v, "--t", "t.txt", "-k", "2"]),
            (1, ["route"] + deg + ["-o", b"nodir/" + v]),
            (2, ["stats"] + deg + ["--seeds", v]),
            (2, ["stats"] + deg + ["--confidence", v]),
            (2, ["stats"] + deg + ["--router", v]),
        ]
        if "demo" in COMMANDS:
            cases.append((2, ["demo", "--threads", v]))
        if "bench" in COMMANDS:
            cases.append((1, ["bench", "--max-side", "64", "--repeat", "1", "--json",
                              b"nodir/" + v]))
        if "dump" in COMMANDS:
            cases.append((2, ["dump", "--demo", "--nodes", "16", "--out", "d", "--scale", v]))
            cases.append((1, ["dump"] + deg + ["--out", b"esc.txt/" + v]))
        for status, argv in cases:
            expect(status, argv, (), "%s in %s" % (label, [a if isinstance(a, str) else "<value>"
                                                          for a in argv][:8]))
    # File contents and the environment.
    expect(1, ["route", "--s-degrees", "esc.txt", "--t-degrees", "t.txt", "-k", "2"],
           ["esc.txt", "token 2"], "a degree file with escape sequences")
    expect(1, ["route", "--s", "esc.pbm", "--t", "t.txt", "-k", "2"], ["esc.pbm"],
           "a PBM with escape sequences")
    text = expect(1, ["route", "--s-degrees", "long.txt", "--t-degrees", "t.txt", "-k", "2"],
                  ["long.txt", "..."], "a 5000-digit degree")
    check(len(text) < 400, "a 5000-digit degree: the message is %d characters" % len(text))
    expect(1, ["targets"], ["N?[2JOPE"], "PHASE_ROUTER_TARGET with an escape",
           env={"PHASE_ROUTER_TARGET": "N\x1b[2JOPE"})

    # ---- 2 for the command line, 1 for what only running tells
    with open("S.pbm", "w") as f:
        f.write("P1\n3 2\n1 0 1\n0 1 1\n")
    with open("T.pbm", "w") as f:
        f.write("P1\n2 3\n1 1\n0 1\n1 0\n")
    expect(2, ["route", "--s", "S.pbm", "--t", "T.pbm", "-k", "2", "--method", "arcs",
               "--no-align"], ["--method arcs", "--no-align"], "route --method arcs --no-align")
    expect(1, ["route"] + deg + ["--rows", "5:9"], ["row range"], "--rows past M")
    expect(1, ["targets"], ["NOPE"], "PHASE_ROUTER_TARGET=NOPE", env={"PHASE_ROUTER_TARGET": "NOPE"})
    expect(1, ["route", "--s-degrees", "missing.txt", "--t-degrees", "t.txt", "-k", "2"],
           ["missing.txt"], "a missing input")
    if "dump" in COMMANDS:
        expect(1, ["dump", "--s-degrees", "s300.txt", "--t-degrees", "t300.txt", "-k", "2",
                   "--scale", "64", "--out", "d300"], ["--scale 64", "pixels"],
               "dump --scale too large for the input")
        expect(2, ["dump", "--demo", "--nodes", "1024", "--scale", "17", "--out", "d1024"],
               ["--scale 17", "pixels"], "dump --demo --scale too large for --nodes")

    # ---- phase-router-mpi: the same messages
    if mpi:
        mpirun, tool = mpi[0], os.path.realpath(mpi[1])
        env = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
               "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_btl": "self,vader",
               "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_pml": "ob1",
               "OMP_NUM_THREADS": "1"}
        program = [mpirun, "--quiet", "-np", "2", tool]
        for argv, words in ((deg + ["--frob"], ["'--frob'", "no such option"]),
                            (deg + ["--seed", "1", "--seed", "2"], ["--seed", "given 2 times"]),
                            (deg + ["--select", "a\x1b[31mb"], ["--select", "not one of"]),
                            (deg + ["--threads", "5000"], ["--threads", "5000"]),
                            (["--s-degrees", "x" * 5000, "--t-degrees", "t.txt", "-k", "2"],
                             ["cannot open", "..."])):
            expect(1 if "cannot open" in words else 2, argv, words, "mpi " + " ".join(argv)[:80],
                   env=env, program=program, name="phase-router-mpi")
finally:
    os.chdir("/")
    shutil.rmtree(tmp, ignore_errors=True)

tally.finish()
