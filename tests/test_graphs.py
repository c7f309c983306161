"""The backward graph found behind known expressions, and its figure."""

import matplotlib.pyplot as plt
import pytest
import torch

from dlguide.graphs import backward_graph, draw_backward_graph


def test_shared_leaf_is_one_node_with_two_parents():
    w = torch.tensor(1.5, requires_grad=True)
    x = torch.tensor(2.0)
    b = torch.tensor(0.5, requires_grad=True)
    loss = (w * x + b).sigmoid() * w
    graph = backward_graph(loss, names={"w": w, "b": b})

    labels = [node.label for node in graph.nodes]
    assert labels == ["MulBackward0", "SigmoidBackward0", "AddBackward0",
                      "MulBackward0", "b", "w"]
    # x needs no gradient, so no node stands for it.
    assert "x" not in labels
    edges = {(labels[i], labels[j]) for i, j in graph.edges}
    assert ("MulBackward0", "w") in edges
    assert ("AddBackward0", "b") in edges
    assert len(graph.edges) == 6
    # w feeds the last and the first multiplication: its depth is the longer path.
    assert graph.nodes[labels.index("w")].depth == 4


def test_every_edge_goes_down_the_order():
    x = torch.randn(3, requires_grad=True)
    y = (x.exp() + x.sin() * x).sum()
    graph = backward_graph(y)
    assert all(i < j for i, j in graph.edges)
    assert all(graph.nodes[i].depth < graph.nodes[j].depth for i, j in graph.edges)
    leaves = [node for node in graph.nodes if node.name == "AccumulateGrad"]
    assert len(leaves) == 1 and leaves[0].label == "AccumulateGrad"


def test_python_branch_changes_the_graph():
    def f(x):
        return x * 2 if x.sum() > 0 else x.exp()

    positive = backward_graph(f(torch.ones(2, requires_grad=True)))
    negative = backward_graph(f(-torch.ones(2, requires_grad=True)))
    assert positive.nodes[0].name == "MulBackward0"
    assert negative.nodes[0].name == "ExpBackward0"


def test_tensor_without_graph_gets_a_clear_error():
    with pytest.raises(ValueError, match="requires_grad=True"):
        backward_graph(torch.ones(2) * 3)
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad(), pytest.raises(ValueError, match="no grad_fn"):
        backward_graph(x * 3)


def test_figure_has_one_box_per_node_and_one_arrow_per_edge():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    graph = backward_graph(a * b + a, names={"a": a, "b": b})
    figure = draw_backward_graph(graph, title="计算图 graph")
    axis = figure.axes[0]
    assert sorted(text.get_text() for text in axis.texts) == sorted(
        node.label for node in graph.nodes
    )
    assert len(axis.patches) == len(graph.edges)
    plt.close(figure)
