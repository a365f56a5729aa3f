#!/usr/bin/env python3
"""A Mixture-of-Experts feed-forward layer in PyTorch whose token-to-expert
assignment comes from Phase Router (docs/moe.md).

The router is content-blind, like a hash layer: it never looks at the
tokens, only at each expert's capacity. Each step draws a fresh routing
(seed = step), dispatches the tokens of every expert with the routes by
target (routing.offsets, .tokens, .slots), and combines the expert outputs
back with index_add_. The same layer with hash routing and Switch-style
dropping (each expert keeps its first `capacity` tokens) is trained beside
it on the same data, and each step prints the expert load (max / mean)
and the dropped slots of both. At capacity factor 1.0 Phase Router fills
every slot and loads every expert exactly equally; hashing overloads some
experts and drops what they cannot take.

Run after the standard build (PyTorch: Debian's python3-torch):
    PYTHONPATH=build/python /usr/bin/python3 examples/moe_layer.py [--steps 8]
"""
import argparse
import sys

try:
    import torch
except ImportError:
    print("moe_layer: PyTorch is not installed (apt-get install python3-torch); skipping")
    sys.exit(77)  # ctest's SKIP_RETURN_CODE

import phase_router.moe


class MoeFeedForward(torch.nn.Module):
    """x + sum over a token's experts of expert(x) / k; a dropped slot adds
    nothing (the residual carries the token through, as in Switch)."""

    def __init__(self, d_model, d_hidden, num_experts, k, capacity_factor, router):
        super().__init__()
        self.num_experts, self.k = num_experts, k
        self.capacity_factor, self.router = capacity_factor, router
        scale = d_model ** -0.5
        self.w1 = torch.nn.Parameter(torch.randn(num_experts, d_model, d_hidden) * scale)
        self.w2 = torch.nn.Parameter(torch.randn(num_experts, d_hidden, d_model) * scale)

    def route(self, num_tokens, seed):
        route = phase_router.moe.route if self.router == "phase" else phase_router.moe.hash_route
        return route(num_tokens, self.num_experts, self.k, capacity_factor=self.capacity_factor,
                     seed=seed, output="torch")

    def forward(self, x, seed):
        routing = self.route(x.shape[0], seed)
        offsets = routing.offsets.tolist()
        y = x.clone()
        for e in range(self.num_experts):
            if offsets[e] == offsets[e + 1]:
                continue
            tokens = routing.tokens[offsets[e]:offsets[e + 1]].long()
            hidden = torch.relu(x[tokens] @ self.w1[e])
            y.index_add_(0, tokens, (hidden @ self.w2[e]) / self.k)
        return y, routing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=1024)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("-k", type=int, default=2)
    parser.add_argument("--capacity-factor", type=float, default=1.0)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--d-model", type=int, default=32)
    args = parser.parse_args()

    torch.manual_seed(0)
    # Synthetic regression: a fixed random two-layer map of the tokens.
    teacher = torch.nn.Sequential(torch.nn.Linear(args.d_model, 64), torch.nn.Tanh(),
                                  torch.nn.Linear(64, args.d_model))
    layers = {}
    for name in ("phase", "hash"):
        torch.manual_seed(1)  # the same initial weights for both
        layer = MoeFeedForward(args.d_model, 64, args.experts, args.k, args.capacity_factor,
                               name)
        layers[name] = (layer, torch.optim.Adam(layer.parameters(), lr=3e-3))

    print("MoE layer: %d tokens, %d experts, k = %d, capacity factor %.2f, %s"
          % (args.tokens, args.experts, args.k, args.capacity_factor,
             "torch " + torch.__version__))
    for step in range(args.steps):
        x = torch.randn(args.tokens, args.d_model)
        with torch.no_grad():
            target = x + teacher(x)
        line = []
        for name, label in (("phase", "phase router"), ("hash", "hash + switch drop")):
            layer, optimizer = layers[name]
            y, routing = layer(x, seed=step)
            loss = torch.nn.functional.mse_loss(y, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            load = routing.counts.double()
            # Distinct sets of experts that tokens were sent to (docs/moe.md:
            # Phase Router's are few within one routing).
            sets = torch.unique(routing.experts, dim=0).shape[0]
            line.append("%s: load max/mean %.3f, dropped %5.2f%%, expert sets %4d, loss %.4f"
                        % (label, (load.max() / load.mean()).item(),
                           100.0 * routing.dropped / (args.tokens * args.k), sets, loss.item()))
        print("step %d  %s" % (step, " | ".join(line)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
