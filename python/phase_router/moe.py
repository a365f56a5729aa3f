"""Routing tokens to experts for a Mixture-of-Experts layer (docs/moe.md).

Phase Router is a content-blind, capacity-exact router: it sees no token
scores and has no notion of which experts a token may use, only how many
tokens each expert takes (its capacity). Every token accepts every expert;
expert e takes at most capacities[e] tokens, always. With capacity factor
1.0 (capacities summing to num_tokens * k) every token gets exactly k
experts and every expert exactly its capacity.

    import phase_router.moe
    r = phase_router.moe.route(4096, 64, 2, capacity_factor=1.0, seed=step)
    r.experts  # (4096, 2) int32: token i's experts ascending, -1 = slot dropped
    r.offsets  # (65,) int64: expert e's routes are entries offsets[e]:offsets[e+1]
    r.tokens   # int32: ... of tokens (ascending within an expert),
    r.slots    # int32: ... and slots (the column of experts each came from)
    r.counts   # (64,) int64: tokens per expert

Arrays are numpy arrays, or CPU torch.Tensors over the same memory (no
copy) with output="torch" or when capacities is a tensor.
"""
import numbers
import threading

import numpy as np

from . import _core

__all__ = ["Routing", "route", "hash_route"]


class Routing:
    """One routing of tokens to experts and its dispatch indices."""

    __slots__ = ("experts", "offsets", "tokens", "slots", "counts", "capacities", "tiled",
                 "laps")

    def __init__(self, experts, offsets, tokens, slots, counts, capacities, tiled=False, laps=0):
        self.experts = experts        # (num_tokens, k) int32, -1 = no expert in that slot
        self.offsets = offsets        # (num_experts + 1,) int64
        self.tokens = tokens          # (offsets[-1],) int32, ascending within an expert
        self.slots = slots            # (offsets[-1],) int32, 0..k-1
        self.counts = counts          # (num_experts,) int64 = diff(offsets)
        self.capacities = capacities  # (num_experts,) int64: the capacities asked for
        self.tiled = tiled            # whether SPEC.md's tiling applied
        self.laps = laps              # its laps q = sum(capacities) // num_tokens, else 0

    @property
    def num_tokens(self):
        return self.experts.shape[0]

    @property
    def num_experts(self):
        return self.counts.shape[0]

    @property
    def k(self):
        return self.experts.shape[1]

    @property
    def dropped(self):
        """Slots left without an expert: num_tokens * k - offsets[-1]."""
        return int(self.num_tokens * self.k - int(self.offsets[-1]))

    def __repr__(self):
        return "<phase_router.moe.Routing %d tokens x k = %d -> %d experts, %d slots dropped>" % (
            self.num_tokens, self.k, self.num_experts, self.dropped)


def _error(code, message):
    error = _core.Error(message)
    error.code = code
    return error


def _is_tensor(value):
    torch = _torch_if_imported()
    return torch is not None and isinstance(value, torch.Tensor)


def _torch_if_imported():
    # A tensor exists only once torch is imported; importing it here would
    # cost a second in processes that never use it.
    import sys
    return sys.modules.get("torch")


def _output_kind(output, capacities):
    if output is None:
        return "torch" if _is_tensor(capacities) else "numpy"
    if not isinstance(output, str):
        raise TypeError("output must be None, \"numpy\" or \"torch\", not %s"
                        % type(output).__name__)
    if output not in ("numpy", "torch"):
        raise _error("bad_option",
                     "output = \"%s\" is not an array type; expected \"numpy\" or \"torch\""
                     % output)
    return output


def _check_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    value = int(value)
    if not 1 <= value <= 2**31 - 1:
        raise _error("bad_shape", "%s = %d is out of range; expected 1 to 2^31 - 1"
                     % (name, value))
    return value


# Capacities from a capacity factor, per (tokens, experts, k, factor):
# computing them is cheap, but a training loop asks for the same ones every
# step. Read-only, so a caller cannot change a shared array.
_CAPACITY_CACHE = {}
_CAPACITY_CACHE_SIZE = 64


def _capacities_for(num_tokens, num_experts, k, capacity_factor):
    key = (num_tokens, num_experts, k, capacity_factor)
    try:
        return _CAPACITY_CACHE[key]
    except (KeyError, TypeError):  # TypeError: an unhashable argument
        pass
    capacities = _core.capacities(num_tokens, num_experts, k, capacity_factor)
    capacities.flags.writeable = False
    if len(_CAPACITY_CACHE) >= _CAPACITY_CACHE_SIZE:
        _CAPACITY_CACHE.clear()
    _CAPACITY_CACHE[key] = capacities
    return capacities


def _given_capacities(capacities, num_experts):
    if _is_tensor(capacities):
        capacities = capacities.detach().cpu().numpy()
    array = np.asarray(capacities)
    if array.ndim != 1 or array.shape[0] != num_experts:
        raise _error("bad_shape", "capacities has shape %s; expected (num_experts,) = (%d,)"
                     % (tuple(array.shape), num_experts))
    if array.dtype.kind not in "iu":
        raise TypeError("capacities has dtype %s; expected integers" % array.dtype)
    return array


# A Router per thread, kept across calls: its workspace is reused, and
# threads never wait for each other's routings.
_ROUTERS = threading.local()


def _thread_router():
    router = getattr(_ROUTERS, "router", None)
    if router is None:
        router = _ROUTERS.router = _core.Router()
    return router


def _as_output(routing, kind):
    if kind == "numpy":
        return routing
    import torch
    for name in ("experts", "offsets", "tokens", "slots", "counts", "capacities"):
        value = getattr(routing, name)
        if isinstance(value, np.ndarray):
            if not value.flags.writeable:  # the cached capacities
                value = value.copy()
            setattr(routing, name, torch.from_numpy(value))
    return routing


def route(num_tokens, num_experts, k, capacity_factor=1.0, capacities=None, seed=0, threads=0,
          *, tiling="auto", router=None, output=None):
    """Routes num_tokens tokens to num_experts experts, k each at most.

    capacities: None, for capacities(num_tokens, num_experts, k,
    capacity_factor) (recomputed for every batch size: a partial batch gets
    the same factor of its own size), or num_experts integers (a sequence,
    numpy array or CPU tensor) that replace capacity_factor: expert e then
    takes at most min(capacities[e], num_tokens) tokens (an expert cannot
    take a token twice, so capacities of a full batch serve a partial one).
    seed: any int in [0, 2^64); the same arguments and seed give the same
    routing on every machine and thread count. threads: OpenMP threads (0 =
    default). tiling: "auto", "on" or "off" (SPEC.md step 2). router: a
    phase_router.Router to reuse (default: one per Python thread). output:
    "numpy", "torch" or None (torch when capacities is a tensor).

    Returns a Routing: experts (num_tokens x k int32, ascending, -1 padded),
    offsets, tokens, slots (the routes by target), counts, capacities,
    tiled, laps, dropped. The GIL is released while routing.
    """
    kind = _output_kind(output, capacities)
    num_tokens = _check_int(num_tokens, "num_tokens")
    num_experts = _check_int(num_experts, "num_experts")
    if capacities is None:
        capacities = _capacities_for(num_tokens, num_experts, k, capacity_factor)
    else:
        capacities = _given_capacities(capacities, num_experts)
    if router is None:
        router = _thread_router()
    experts, offsets, tokens, slots, counts, tiled, laps = _core._moe_route(
        router, num_tokens, capacities, k, seed, threads, tiling)
    return _as_output(Routing(experts, offsets, tokens, slots, counts, capacities, tiled, laps),
                      kind)


def hash_route(num_tokens, num_experts, k, capacity_factor=1.0, capacities=None, seed=0,
               threads=0, *, output=None):
    """The hash-router baseline with Switch-style dropping, as a Routing.

    Every token draws k distinct uniform experts (phase_router.hash_route);
    then each expert keeps its first capacities[e] tokens in token order and
    drops the rest (the capacity-factor drop of Switch Transformers).
    capacities as for route() (from capacity_factor by default). A dropped
    slot is -1 in experts, in place (rows are not re-sorted, so slots keep
    their columns). Compare route(): the same capacities, nothing over them,
    but without hashing's overflow.
    """
    kind = _output_kind(output, capacities)
    num_tokens = _check_int(num_tokens, "num_tokens")
    num_experts = _check_int(num_experts, "num_experts")
    if capacities is None:
        capacities = _capacities_for(num_tokens, num_experts, k, capacity_factor)
    else:
        capacities = _given_capacities(capacities, num_experts)
    experts = _core.hash_route(num_tokens, num_experts, k, seed=seed, threads=threads)
    offsets, tokens, slots = _core.routes_by_target(experts, num_experts, threads=threads)
    demand = np.diff(offsets)
    # Rank of each route within its expert, in token order: drop from the
    # capacity on.
    kept_counts = np.minimum(demand, capacities)
    rank = np.arange(tokens.shape[0]) - np.repeat(offsets[:-1], demand)
    keep = rank < np.repeat(kept_counts, demand)
    experts[tokens[~keep], slots[~keep]] = -1
    offsets = np.concatenate(([0], np.cumsum(kept_counts))).astype(np.int64)
    routing = Routing(experts, offsets, tokens[keep], slots[keep], kept_counts.astype(np.int64),
                      capacities)
    return _as_output(routing, kind)
