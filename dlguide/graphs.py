"""Walk and draw the backward graph that autograd records behind a tensor.

PyTorch keeps no picture of a computation graph, only a chain of backward
nodes: ``y.grad_fn`` and, through ``next_functions``, the nodes it hands
gradients to. This module follows that chain and draws it with matplotlib
alone (no Graphviz needed). Taught in ``03-computation-graphs`` (计算图,
computation graphs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch

from dlguide.plots import use_cjk_font

__all__ = ["BackwardGraph", "GraphNode", "backward_graph", "draw_backward_graph"]


@dataclasses.dataclass(frozen=True)
class GraphNode:
    """One node of a backward graph.

    Attributes
    ----------
    name : str
        The autograd node's class name, such as ``"MulBackward0"``, or
        ``"AccumulateGrad"`` for the node that stores a leaf's ``.grad``.
    label : str
        What a figure writes: the leaf's name where one was given, else ``name``.
    depth : int
        The longest path from the output's node (depth 0) to this one.

    Examples
    --------
    >>> GraphNode(name="MulBackward0", label="MulBackward0", depth=1).depth
    1
    """

    name: str
    label: str
    depth: int


@dataclasses.dataclass(frozen=True)
class BackwardGraph:
    """The nodes behind a tensor and the edges between them.

    Attributes
    ----------
    nodes : list of GraphNode
        In topological order, the output's node first.
    edges : list of tuple of int
        ``(i, j)``: node ``i`` passes a gradient to node ``j`` (the direction in
        which ``backward()`` travels, from the output towards the leaves).

    Examples
    --------
    >>> BackwardGraph(nodes=[], edges=[]).edges
    []
    """

    nodes: list[GraphNode]
    edges: list[tuple[int, int]]


def _children(node) -> list:
    # Inputs that need no gradient appear as (None, 0): nothing flows there.
    return [child for child, _ in node.next_functions if child is not None]


def backward_graph(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> BackwardGraph:
    """Follow ``output.grad_fn`` through ``next_functions`` and list what it finds.

    Parameters
    ----------
    output : torch.Tensor
        A tensor computed from at least one tensor with ``requires_grad=True``.
    names : mapping of str to torch.Tensor, optional
        Names for leaf tensors (``{"w": w}``); their ``AccumulateGrad`` nodes
        are labelled with these names.

    Returns
    -------
    BackwardGraph

    Raises
    ------
    ValueError
        If ``output`` has no ``grad_fn`` (autograd recorded nothing for it).

    Examples
    --------
    >>> a = torch.tensor(2.0, requires_grad=True)
    >>> b = torch.tensor(3.0, requires_grad=True)
    >>> graph = backward_graph(a * b + a, names={"a": a, "b": b})
    >>> [node.label for node in graph.nodes]
    ['AddBackward0', 'MulBackward0', 'a', 'b']
    >>> graph.edges
    [(0, 1), (0, 2), (1, 2), (1, 3)]
    >>> [node.depth for node in graph.nodes]
    [0, 1, 2, 2]
    """
    root = output.grad_fn
    if root is None:
        raise ValueError(
            "this tensor has no grad_fn, so autograd recorded no graph for it; "
            "compute it from a tensor created with requires_grad=True, "
            "outside torch.no_grad()"
        )
    leaf_names = {id(tensor): name for name, tensor in (names or {}).items()}

    # Find every reachable node and count its parents, then order the nodes
    # with Kahn's algorithm so that each comes after all the nodes feeding it.
    # Nodes are told apart by identity: a node reached twice is one node.
    reachable = {id(root): root}
    parent_count = {id(root): 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in _children(node):
            parent_count[id(child)] = parent_count.get(id(child), 0) + 1
            if id(child) not in reachable:
                reachable[id(child)] = child
                stack.append(child)

    order, depth, ready = [], {id(root): 0}, [root]
    while ready:
        node = ready.pop(0)
        order.append(node)
        for child in _children(node):
            depth[id(child)] = max(depth.get(id(child), 0), depth[id(node)] + 1)
            parent_count[id(child)] -= 1
            if parent_count[id(child)] == 0:
                ready.append(child)

    index = {id(node): position for position, node in enumerate(order)}
    nodes = []
    for node in order:
        name = type(node).__name__
        variable = getattr(node, "variable", None)  # only AccumulateGrad has one
        label = leaf_names.get(id(variable), name) if variable is not None else name
        nodes.append(GraphNode(name=name, label=label, depth=depth[id(node)]))
    edges = sorted(
        {(index[id(node)], index[id(child)])
         for node in order for child in _children(node)}
    )
    return BackwardGraph(nodes=nodes, edges=edges)


def draw_backward_graph(graph: BackwardGraph, *, title: str | None = None):
    """Draw a backward graph top-down: the output's node at the top, leaves below.

    Each row holds the nodes of one depth; arrows point the way gradients
    travel. Leaf nodes (``AccumulateGrad``) are drawn in another colour.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> x = torch.tensor(1.0, requires_grad=True)
    >>> figure = draw_backward_graph(backward_graph(x.exp(), names={"x": x}))
    >>> sorted(text.get_text() for text in figure.axes[0].texts)
    ['ExpBackward0', 'x']
    >>> len(figure.axes[0].patches)  # one arrow per edge
    1
    >>> plt.close(figure)
    """
    use_cjk_font()
    rows: dict[int, list[int]] = {}
    for position, node in enumerate(graph.nodes):
        rows.setdefault(node.depth, []).append(position)
    widest = max((len(row) for row in rows.values()), default=1)
    height = max(rows, default=0) + 1

    place = {}
    for depth, members in rows.items():
        for slot, position in enumerate(members):
            place[position] = ((slot + 1) / (len(members) + 1) * widest, -depth)

    figure, axis = plt.subplots(figsize=(max(3.2, 2.2 * widest), 1.1 * height + 0.6))
    for start, end in graph.edges:
        # An edge that skips rows would run straight through the boxes between;
        # bend it out of their way.
        skips = graph.nodes[end].depth - graph.nodes[start].depth > 1
        axis.add_patch(FancyArrowPatch(
            place[start], place[end], arrowstyle="-|>", mutation_scale=12,
            connectionstyle=f"arc3,rad={-0.5 if skips else 0.0}",
            color="0.4", shrinkA=16, shrinkB=16, lw=1.2,
        ))
    for position, node in enumerate(graph.nodes):
        is_leaf = node.name == "AccumulateGrad"
        axis.text(
            *place[position], node.label, ha="center", va="center", fontsize=9,
            bbox={"boxstyle": "round,pad=0.4", "lw": 1,
                  "facecolor": "#fde7c8" if is_leaf else "#dbe9f6",
                  "edgecolor": "#c77d1a" if is_leaf else "#2f6fa8"},
        )
    axis.set_xlim(0, widest)
    axis.set_ylim(-height + 0.4, 0.6)
    axis.axis("off")
    if title:
        axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure
