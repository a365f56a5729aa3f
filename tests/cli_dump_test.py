#!/usr/bin/env python3
"""`phase-router dump` against the golden cases: the routes it writes equal
the expected ones (and it checks its stage-by-stage pipeline against the
router itself), its PBM stages are the spec's matrices, its PNGs are
well-formed pictures of the right size, and bad command lines fail.
usage: cli_dump_test.py PATH/TO/phase-router GOLDEN_DIR   (exit 0 when all pass)"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

# The golden-case reader and PBM writer of the golden checker beside this file.
from check_golden import parse as parse_case, write_p1

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def read_p4(path):
    """A raw PBM as a list of '0'/'1' strings."""
    data = open(path, "rb").read()
    tokens, pos = [], 0
    while len(tokens) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        tokens.append(data[start:pos])
    pos += 1  # one whitespace byte after the height
    assert tokens[0] == b"P4", tokens[0]
    width, height = int(tokens[1]), int(tokens[2])
    row_bytes = (width + 7) // 8
    rows = []
    for r in range(height):
        raw = data[pos + r * row_bytes:pos + (r + 1) * row_bytes]
        bits = "".join(format(b, "08b") for b in raw)
        rows.append(bits[:width])
    return rows


def png_size(path):
    """(width, height) from a PNG's IHDR, after checking the signature and
    that every chunk's CRC is right."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, size = 8, None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, "bad CRC in " + kind.decode()
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        pos += 12 + length
        if kind == b"IEND":
            break
    return size


def dump(binp, args, out):
    return subprocess.run([binp, "dump"] + args + ["--out", out],
                          capture_output=True, text=True, timeout=120)


def read_layout(path):
    """layout.txt: (tiled, laps, rows of [place, target, t, t', start, psi])."""
    lines = open(path).read().splitlines()
    tiled = "tiling applied" in lines[0]
    laps = int(lines[0].split("applied, ")[1].split()[0]) if tiled else 0
    return tiled, laps, [[int(x) for x in line.split()] for line in lines[2:]]


def check_layout(name, path, t, M):
    """The layout's invariants (SPEC.md step 2): every target at one place,
    the arcs end to end, t' <= t, q laps exactly when tiled, psi = start mod M."""
    try:
        tiled, laps, rows = read_layout(path)
    except (OSError, ValueError, IndexError) as e:
        check(False, "%s: layout.txt: %s" % (name, e))
        return
    E = len(t)
    check([r[0] for r in rows] == list(range(E)), name + ": layout places")
    check(sorted(r[1] for r in rows) == list(range(E)), name + ": layout targets")
    start = 0
    for place, target, degree, arc, at, psi in rows:
        check(degree == t[target] and arc <= degree, "%s: place %d: t %d t' %d" % (name, place, degree, arc))
        check(at == start and psi == at % M, "%s: place %d starts at %d" % (name, place, at))
        start += arc
    check(start == (laps * M if tiled else sum(t)), "%s: the arcs sum to %d" % (name, start))


def check_case(binp, path, td):
    name = os.path.basename(path)
    h, S, T, want = parse_case(path)
    M, E = len(S), len(T)
    sp, tp = os.path.join(td, "S.pbm"), os.path.join(td, "T.pbm")
    write_p1(sp, S)
    write_p1(tp, T)
    opts = ["-k", h["k"], "--seed", h["seed"], "--select", h["select"],
            "--tiling", h["tiling"], "--scale", "3"]
    if h["align"] == "0":
        opts.append("--no-align")
    if h["row_perm"] == "1":
        opts.append("--row-perm")
    out = os.path.join(td, name)
    r = dump(binp, ["--s", sp, "--t", tp] + opts, out)
    check(r.returncode == 0, "%s: exit %d: %s" % (name, r.returncode, r.stderr.strip()))
    if r.returncode != 0:
        return
    check(open(os.path.join(out, "routes.txt")).read() == want, name + ": routes differ")

    s_aligned = read_p4(os.path.join(out, "01_S_aligned.pbm"))
    degrees = [row.count("1") for row in S]
    if h["align"] == "1":
        check(s_aligned == ["1" * d + "0" * (E - d) for d in degrees],
              name + ": S aligned is not the arcs [0, s_i)")
    else:
        check(s_aligned == S, name + ": S aligned is not S itself")
    t_transposed = read_p4(os.path.join(out, "09_T_transposed.pbm"))
    check(len(t_transposed) == M and all(len(row) == E for row in t_transposed),
          name + ": T transposed is not M x E")
    # The chosen pairs are the routes, and each is a candidate of O.
    chosen = read_p4(os.path.join(out, "11_routes.pbm"))
    for i, line in enumerate(want.splitlines()):
        targets = [int(x) for x in line.split() if int(x) >= 0]
        check(chosen[i] == "".join("1" if t in targets else "0" for t in range(E)),
              "%s: 11_routes.pbm row %d differs from the routes" % (name, i))
    if h["row_perm"] == "0":
        O = read_p4(os.path.join(out, "10_O.pbm"))
        check(all(O[i][t] == "1" for i in range(M) for t in range(E) if chosen[i][t] == "1"),
              name + ": a route is not a candidate in O")

    check_layout(name, os.path.join(out, "layout.txt"), [row.count("1") for row in T], M)

    for stem, rows, cols in (("01_S_aligned", M, E), ("05_T_aligned", E, M),
                             ("09_T_transposed", M, E), ("10_O", M, E), ("11_routes", M, E)):
        try:
            size = png_size(os.path.join(out, stem + ".png"))
            check(size == (3 * cols, 3 * rows), "%s: %s.png is %s" % (name, stem, size))
        except (AssertionError, OSError, struct.error) as e:
            check(False, "%s: %s.png: %s" % (name, stem, e))
    for stem in ("12_load_histogram", "00_overview"):
        try:
            check(png_size(os.path.join(out, stem + ".png")) is not None, name + ": " + stem)
        except (AssertionError, OSError, struct.error) as e:
            check(False, "%s: %s.png: %s" % (name, stem, e))


def check_degrees_and_demo(binp, td):
    sd, tdg = os.path.join(td, "s.txt"), os.path.join(td, "t.txt")
    open(sd, "w").write("6 3 1 4 6 2 5 6\n")
    open(tdg, "w").write("8 4 2 6 3 5\n")
    out = os.path.join(td, "degrees")
    r = dump(binp, ["--s-degrees", sd, "--t-degrees", tdg, "-k", "2", "--seed", "42"], out)
    check(r.returncode == 0, "degrees: exit %d: %s" % (r.returncode, r.stderr.strip()))
    if r.returncode == 0:
        # The README's quickstart routes.
        check(open(os.path.join(out, "routes.txt")).read() ==
              "0 5\n3 4\n-1 -1\n0 5\n1 3\n1 -1\n0 3\n4 5\n", "degrees: routes differ")
    # The tiled layout of golden/rng.txt: 24 sources of degree 8, capacities
    # 7 8 7 8 7 8 7 8, k = 2, seed 11.
    sd2, td2 = os.path.join(td, "s24.txt"), os.path.join(td, "t8.txt")
    open(sd2, "w").write("8 " * 24 + "\n")
    open(td2, "w").write("7 8 7 8 7 8 7 8\n")
    out = os.path.join(td, "layout_rng")
    r = dump(binp, ["--s-degrees", sd2, "--t-degrees", td2, "-k", "2", "--seed", "11"], out)
    check(r.returncode == 0, "layout: exit %d: %s" % (r.returncode, r.stderr.strip()))
    if r.returncode == 0:
        tiled, laps, rows = read_layout(os.path.join(out, "layout.txt"))
        sigma = [0] * 8
        for place, target, _, _, _, _ in rows:
            sigma[target] = place
        by_target = sorted(rows, key=lambda row: row[1])
        check((tiled, laps) == (True, 2), "layout: tiled %s laps %d" % (tiled, laps))
        check(sigma == [7, 6, 3, 5, 4, 0, 1, 2], "layout: sigma %s" % sigma)
        check([row[3] for row in by_target] == [6, 6, 6, 7, 5, 6, 6, 6], "layout: t'")
        check([row[5] for row in by_target] == [18, 12, 18, 5, 0, 0, 6, 12], "layout: psi")
    for tiling in ("auto", "on", "off"):
        out = os.path.join(td, "degrees_tiling_" + tiling)
        r = dump(binp, ["--s-degrees", sd, "--t-degrees", tdg, "-k", "2", "--tiling", tiling],
                 out)
        check(r.returncode == 0 and ", tiling o" in r.stdout,
              "degrees --tiling %s: exit %d: %s" % (tiling, r.returncode, r.stderr.strip()))
    out = os.path.join(td, "demo")
    r = dump(binp, ["--demo", "--nodes", "48", "--row-perm"], out)
    check(r.returncode == 0, "demo: exit %d: %s" % (r.returncode, r.stderr.strip()))
    check(os.path.exists(os.path.join(out, "04_S_row_permuted.png")), "demo: no row-permuted S")


def check_bad_command_lines(binp, td):
    out = os.path.join(td, "bad")
    for args, status, needle in (
            (["--demo", "--s-degrees", "x"], 2, "give one input"),
            (["--nodes", "8", "-k", "1", "--s-degrees", "a", "--t-degrees", "b"], 2,
             "--nodes needs --demo"),
            (["--s-degrees", "a", "--t-degrees", "b"], 2, "-k is required"),
            (["--demo", "--nodes", "5000"], 2, "out of range"),
            (["--demo", "--scale", "65"], 2, "out of range"),
            (["--demo", "--nodes", "1024", "--scale", "17"], 2, "pixels; at most 16384"),
            (["--demo", "--tiling", "sometimes"], 2, "--tiling"),
            (["--s-degrees", os.path.join(td, "missing"), "--t-degrees", "b", "-k", "1"], 1,
             "missing")):
        r = dump(binp, args, out)
        check(r.returncode == status and needle in r.stderr and r.stderr.count("\n") == 1,
              "dump %s: exit %d, stderr %r" % (" ".join(args), r.returncode, r.stderr))


def main():
    binp, gdir = sys.argv[1], sys.argv[2]
    cases = sorted(f for f in os.listdir(gdir) if f.endswith(".case"))
    with tempfile.TemporaryDirectory() as td:
        for name in cases:
            check_case(binp, os.path.join(gdir, name), td)
        check_degrees_and_demo(binp, td)
        check_bad_command_lines(binp, td)
    for f in failures:
        print("cli_dump_test:", f)
    print("cli_dump_test: %d golden cases, %d failure(s)" % (len(cases), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
