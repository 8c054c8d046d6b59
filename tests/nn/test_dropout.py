"""nn.Dropout (training vs eval, repr, statistics) and Monte-Carlo dropout prediction."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.containers import Sequential
from nn.dropout import Dropout, mc_dropout_predict
from nn.linear import Linear
from nn.module import Module
from nn.normalization import BatchNorm1d


def test_repr_equals_torch_and_no_state():
    torch = pytest.importorskip("torch")
    for kwargs in ({}, {"p": 0.2}, {"p": 0.3, "inplace": True}):
        assert repr(Dropout(**kwargs)) == repr(torch.nn.Dropout(**kwargs))
    assert Dropout().state_dict() == {} and list(Dropout().parameters()) == []


@pytest.mark.parametrize("p", [-0.5, 1.01])
def test_bad_probability_is_rejected_at_construction(p):
    with pytest.raises(ValueError, match="Dropout: dropout probability has to be between 0 and 1"):
        Dropout(p)


def test_training_drops_and_rescales_eval_is_identity():
    autograd.manual_seed(0)
    layer = Dropout(0.25)
    x = Tensor(np.ones((100, 100), dtype=np.float32))
    out = layer(x)
    assert set(np.unique(out.data)) == {0.0, np.float32(1 / 0.75)}
    assert abs((out.data == 0).mean() - 0.25) < 0.02
    assert abs(out.data.mean() - 1.0) < 0.03  # E[output] = input (inverted dropout)
    layer.eval()
    assert layer(x) is x


def test_p_one_zeroes_everything_and_p_zero_is_identity():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3))
    np.testing.assert_array_equal(Dropout(1.0)(x).data, 0)
    assert Dropout(0.0)(x) is x


class Net(Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.fc1 = Linear(4, 16)
        self.bn = BatchNorm1d(16)
        self.drop = Dropout(p)
        self.fc2 = Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.drop(self.bn(self.fc1(x))))


def test_mc_dropout_keeps_batch_norm_in_eval_and_restores_every_mode():
    autograd.manual_seed(1)
    net = Net()
    net.train()
    net.fc2.eval()  # a mixed state that must come back exactly
    modes = {name: m.training for name, m in net.named_modules()}
    stats = (net.bn.running_mean.data.copy(), net.bn.num_batches_tracked.item())
    seen = []
    net.bn.register_forward_hook(lambda m, i, o: seen.append(m.training))
    net.drop.register_forward_hook(lambda m, i, o: seen.append(m.training))
    x = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32))
    mean, std = mc_dropout_predict(net, x, samples=30)
    assert seen == [False, True] * 30  # batch norm in eval, dropout in training
    assert {name: m.training for name, m in net.named_modules()} == modes
    np.testing.assert_array_equal(net.bn.running_mean.data, stats[0])
    assert net.bn.num_batches_tracked.item() == stats[1]
    assert mean.shape == (5, 3) and std.shape == (5, 3)
    assert not mean.requires_grad and np.all(std.data > 0)


def test_mc_dropout_mean_estimates_the_deterministic_output_of_a_linear_net():
    # E[fc2(dropout(h))] = fc2(h) exactly (inverted dropout), so the Monte-Carlo mean
    # approaches the eval output; without dropout there is no spread
    autograd.manual_seed(2)
    net = Sequential(Linear(3, 50), Dropout(0.5), Linear(50, 2)).eval()
    x = Tensor(np.random.default_rng(1).normal(size=(4, 3)))
    for p in net.parameters():
        p.data = p.data.astype(np.float64)
    exact = net(x).data
    mean, std = mc_dropout_predict(net, x, samples=2000)
    np.testing.assert_allclose(mean.data, exact, atol=6 * std.data.max() / np.sqrt(2000))
    assert net.training is False and net[1].training is False
    _, no_spread = mc_dropout_predict(Sequential(Linear(3, 2)), x, samples=5)
    np.testing.assert_allclose(no_spread.data, 0, atol=1e-12)  # only rounding in the mean


def test_mc_dropout_std_is_the_sample_standard_deviation():
    autograd.manual_seed(3)
    net = Sequential(Dropout(0.5))
    x = Tensor(np.ones((1, 200)))
    draws = []
    net.register_forward_hook(lambda m, i, o: draws.append(o.data.copy()))
    mean, std = mc_dropout_predict(net, x, samples=4)
    np.testing.assert_allclose(mean.data, np.mean(draws, axis=0))
    np.testing.assert_allclose(std.data, np.std(draws, axis=0, ddof=1))


def test_mc_dropout_restores_modes_when_the_model_raises():
    class Broken(Module):
        def __init__(self):
            super().__init__()
            self.drop = Dropout()

        def forward(self, x):
            raise RuntimeError("boom")

    net = Broken()
    net.eval()
    with pytest.raises(RuntimeError, match="boom"):
        mc_dropout_predict(net, Tensor(np.ones(2)))
    assert net.training is False and net.drop.training is False


@pytest.mark.parametrize("samples", [1, 0, 2.5, True])
def test_mc_dropout_needs_at_least_two_samples(samples):
    with pytest.raises(ValueError, match="samples must be an int >= 2"):
        mc_dropout_predict(Sequential(Dropout()), Tensor(np.ones(2)), samples=samples)


def test_dropout_module_gradcheck_with_a_fixed_mask():
    layer = Dropout(0.3)
    x = Tensor(np.random.default_rng(4).normal(size=(3, 5)), requires_grad=True)

    def f(a):
        autograd.manual_seed(9)  # the same mask at every evaluation
        return layer(a)
    assert gradcheck(f, (x,))
