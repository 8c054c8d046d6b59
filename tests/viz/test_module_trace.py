"""`viz.trace_modules`: which module call computed which tensor, nesting, output
gradients recorded by hooks, and clean removal of the hooks."""
import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor
from nn.module import Module
from nn.parameter import Parameter
from viz.module_trace import last_trace


class Scale(Module):
    def __init__(self, value):
        super().__init__()
        self.weight = Parameter(np.full(3, value, np.float32))

    def forward(self, x):
        return x * self.weight


class Block(Module):
    """out = x + inner(x) * 2: the add and the multiply belong to the block itself."""

    def __init__(self):
        super().__init__()
        self.inner = Scale(0.5)

    def forward(self, x):
        return x + self.inner(x) * 2.0


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Scale(2.0)
        self.block = Block()

    def forward(self, x):
        return autograd.tanh(self.block(self.first(x)))


def traced():
    net = Net()
    x = Tensor(np.array([[0.1, 0.2, 0.3]], np.float32))
    with viz.trace_modules(net) as trace:
        out = net(x)
    return net, x, out, trace


def test_calls_are_recorded_with_names_types_and_nesting():
    _, _, _, trace = traced()
    summary = [(c.name, c.type_name, c.depth) for c in trace.calls]
    assert summary == [("", "Net", 0), ("first", "Scale", 1), ("block", "Block", 1),
                       ("block.inner", "Scale", 2)]
    block, inner = trace.calls[2], trace.calls[3]
    assert inner.parent == block.index and block.children == [inner.index]
    assert [c.name for c in trace.ancestry(inner)] == ["", "block", "block.inner"]


def test_each_node_is_owned_by_the_innermost_call_that_computed_it():
    net, x, out, trace = traced()
    assert trace.owner_of(out).name == ""           # tanh, in Net.forward
    block_out = out.parents[0]                        # x + inner(x) * 2
    assert trace.owner_of(block_out).name == "block"
    times_two = block_out.parents[1]
    assert trace.owner_of(times_two).name == "block"
    inner_out = times_two.parents[0]
    assert trace.owner_of(inner_out).name == "block.inner"
    assert trace.owner_of(net.block.inner.weight).name == "block.inner"
    assert trace.owner_of(net.first.weight).name == "first"
    assert trace.owner_of(x) is None                  # the input belongs to no module


def test_output_gradients_are_recorded_during_backward_after_the_block():
    net, x, out, trace = traced()
    block_out = out.parents[0]
    block_out.retain_grad()
    out.sum().backward()
    stats = trace.output_grad(block_out)
    grad = block_out.grad.data.astype(np.float64)
    assert stats.norm == pytest.approx(np.linalg.norm(grad))
    assert stats.mean_abs == pytest.approx(np.abs(grad).mean())
    assert stats.max_abs == pytest.approx(np.abs(grad).max())


def test_hooks_are_removed_when_the_block_ends():
    net, x, _, trace = traced()
    calls = len(trace.calls)
    net(x)
    assert len(trace.calls) == calls


def test_the_last_trace_of_a_model_is_found_and_can_be_cleared():
    net, _, _, trace = traced()
    assert last_trace(net) is trace
    trace.clear()
    assert last_trace(net) is None and trace.calls == []


def test_repeated_calls_are_numbered():
    net = Net()
    x = Tensor(np.ones((1, 3), np.float32))
    with viz.trace_modules(net) as trace:
        net.first(net.first(x))
    titles = [c.title for c in trace.calls]
    assert titles == ["first #1", "first #2"]


def test_trace_modules_needs_a_module():
    with pytest.raises(TypeError, match="nn.Module"):
        viz.trace_modules(object())
