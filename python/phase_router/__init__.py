"""Phase Router: seed-randomized, deterministic, capped bipartite routing from
degree-specified binary matrices (docs/spec.md), over numpy arrays and CPU
torch.Tensors.

route() and route_degrees() return an M x k int32 array (row i: source i's
target ids ascending, -1 padded); stats=True adds the per-call statistics
as a dict. routes_by_target() groups a routing's routes by target,
capacities() plans expert capacities, and phase_router.moe routes tokens
to experts for a Mixture-of-Experts layer (docs/moe.md).

Bad input raises phase_router.Error (a ValueError with a .code); a wrong
argument type, a missing or unknown argument raises TypeError, one line
naming it.
"""
import ast as _ast
import functools as _functools
import inspect as _inspect
import re as _re

from . import _core
from ._core import (Error, Router, analyze_distribution, average_over_seeds, capacities,
                    chung_lu_route, estimate_capacity, force_target, hash_route, pack_bits,
                    route, route_degrees, routes_by_target, suggest_k, targets,
                    two_choice_route)

__version__ = _core.__version__
SPEC_VERSION = _core.SPEC_VERSION

__all__ = [
    "Error", "Router", "SPEC_VERSION", "analyze_distribution", "average_over_seeds",
    "capacities", "chung_lu_route", "estimate_capacity", "force_target", "hash_route", "moe",
    "pack_bits", "route", "route_degrees", "routes_by_target", "suggest_k", "targets",
    "two_choice_route",
]

# ---- one-line argument errors
# The compiled functions take every argument as a Python object and convert
# it themselves, so a wrong type already raises a one-line TypeError. What
# pybind11 still rejects is a call that does not fit the signature (a
# missing argument, an unknown keyword, too many positional ones), with a
# message that prints the whole signature over several lines. The wrappers
# below re-raise that as Python's own one-line message.

_INCOMPATIBLE = "incompatible function arguments"


def _split_parameters(text):
    """Splits 'a: object, *, b: object = 0' at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:].strip())
    return parts


def _signature(function):
    """The signature pybind11 wrote on the first line of the docstring (its
    parameters are typed as the Python objects they are taken as; the
    defaults are literals)."""
    first = (function.__doc__ or "").split("\n", 1)[0]
    match = _re.match(r"^[\w.]+\((.*)\)( -> .*)?$", first)
    if match is None:
        return None
    kind = _inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = []
    for part in _split_parameters(match.group(1)):
        if part == "*":
            kind = _inspect.Parameter.KEYWORD_ONLY
            continue
        declaration, has_default, default_text = part.partition(" = ")
        name = declaration.split(":")[0].strip()
        default = _inspect.Parameter.empty
        if has_default:
            try:
                default = _ast.literal_eval(default_text)
            except (ValueError, SyntaxError):
                default = None
        parameters.append(_inspect.Parameter(name, kind, default=default))
    return _inspect.Signature(parameters)


def _one_line_errors(function, name):
    signature = _signature(function)

    @_functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TypeError as error:
            if _INCOMPATIBLE not in str(error) or signature is None:
                raise
            try:
                signature.bind(*args, **kwargs)
            except TypeError as mismatch:
                raise TypeError("%s(): %s" % (name, mismatch)) from None
            raise TypeError("%s(): the arguments do not fit %s%s" % (name, name, signature)) \
                from None

    call.__module__ = __name__
    if signature is not None:
        # help() shows this signature and the documentation proper, not
        # pybind11's first line (every parameter typed "handle").
        call.__signature__ = signature
        call.__doc__ = (function.__doc__ or "").split("\n", 1)[-1].lstrip("\n")
    return call


for _name in ["analyze_distribution", "average_over_seeds", "capacities", "chung_lu_route",
              "estimate_capacity", "force_target", "hash_route", "pack_bits", "route",
              "route_degrees", "routes_by_target", "suggest_k", "targets",
              "two_choice_route"]:
    globals()[_name] = _one_line_errors(getattr(_core, _name), _name)
for _name in ["route", "route_degrees", "hash_route"]:
    setattr(Router, _name, _one_line_errors(getattr(Router, _name), "Router." + _name))
del _name

from . import moe  # noqa: E402  (needs the names above)
