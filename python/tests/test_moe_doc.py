"""docs/moe.md runs as written: its Python blocks, in order, as one session;
a ```text block right after a Python block is that block's exact output."""
import contextlib
import io
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "moe.md"


def blocks(text):
    """(python source, expected output or None), in page order."""
    fences = list(re.finditer(r"^```(\w*)\n(.*?)^```\n", text, re.M | re.S))
    result = []
    for n, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        expected = None
        if n + 1 < len(fences):
            following = fences[n + 1]
            between = text[fence.end():following.start()]
            if following.group(1) == "text" and between.strip() == "":
                expected = following.group(2)
        result.append((fence.group(2), expected))
    return result


def test_the_page_has_checked_blocks():
    found = blocks(PAGE.read_text())
    assert len(found) >= 8
    assert sum(expected is not None for _, expected in found) >= 7


def test_python_blocks_print_what_the_page_says():
    pytest.importorskip("torch")  # one block is a PyTorch layer
    namespace = {"__name__": "moe_doc"}
    for number, (source, expected) in enumerate(blocks(PAGE.read_text()), 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, "docs/moe.md block %d" % number, "exec"), namespace)
        if expected is not None:
            assert out.getvalue() == expected, "block %d:\n%s" % (number, source)
