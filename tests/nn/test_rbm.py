"""nn.rbm: the RBM's conditionals, sampling and free energy against numpy; the CD-k estimate
against the autograd gradient of the free-energy difference (float64); CD training on
3x3 bars-and-stripes judged by the exact likelihood (2^9 states); greedy pre-training of
a DBN, its conversion to a sigmoid MLP and fine-tuning."""
import itertools

import numpy as np
import pytest

import autograd
from autograd import Tensor
from nn import functional as F
from nn.architectures import MLP
from nn.rbm import DBN, RBM, init_mlp_from_rbms, pretrain_stack
from optim import SGD


def bars_and_stripes(n=3):
    """Every n x n image whose rows are all equal (bars) or columns all equal (stripes):
    2^(n+1) - 2 distinct patterns, flattened; labels 1 for vertical bars, 0 otherwise."""
    patterns = {}
    for bits in itertools.product([0.0, 1.0], repeat=n):
        line = np.array(bits)
        patterns[tuple(np.tile(line, n))] = 1                 # every row = line: vertical bars
        patterns.setdefault(tuple(np.repeat(line, n)), 0)     # every column = line
    keys = sorted(patterns)
    return np.array(keys, np.float32), np.array([patterns[k] for k in keys])


def all_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def random_rbm(n_visible, n_hidden, seed=0, scale=1.0):
    rbm = RBM(n_visible, n_hidden, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for p in rbm.parameters():
        p.data[...] = scale * rng.standard_normal(p.shape)
    return rbm


def binary(shape, seed=1):
    return (np.random.default_rng(seed).random(shape) < 0.5).astype(np.float64)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- construction ----------------------------------------------------------------------------
def test_parameters_shapes_keys_and_initialisation():
    autograd.manual_seed(0)
    rbm = RBM(400, 300, k=3)
    assert list(rbm.state_dict()) == ["weight", "v_bias", "h_bias"]
    assert [tuple(p.shape) for p in rbm.parameters()] == [(300, 400), (400,), (300,)]
    assert all(p.dtype == np.float32 for p in rbm.parameters())
    assert abs(rbm.weight.data.std() / 0.01 - 1) < 0.01 and abs(rbm.weight.data.mean()) < 1e-4
    assert not rbm.v_bias.data.any() and not rbm.h_bias.data.any()
    assert repr(rbm) == "RBM(n_visible=400, n_hidden=300, k=3)"
    autograd.manual_seed(0)
    np.testing.assert_array_equal(RBM(400, 300).weight.data, rbm.weight.data)  # reproducible


@pytest.mark.parametrize("args, message", [
    ((0, 3), "RBM: n_visible must be a positive int, got 0"),
    ((3, 2.5), "RBM: n_hidden must be a positive int, got 2.5"),
    ((3, 2, 0), "RBM: k must be a positive int, got 0"),
])
def test_bad_sizes_are_rejected(args, message):
    with pytest.raises(ValueError, match=message):
        RBM(*args)


# ---- conditionals, sampling and free energy --------------------------------------------------
def test_conditionals_and_free_energy_match_the_formulas():
    rbm = random_rbm(6, 4)
    W, b, c = rbm.weight.data, rbm.v_bias.data, rbm.h_bias.data
    v, h = binary((5, 6)), binary((5, 4), seed=2)
    np.testing.assert_allclose(rbm.prob_h_given_v(Tensor(v)).data, sigmoid(v @ W.T + c),
                               rtol=1e-14)
    np.testing.assert_allclose(rbm.prob_v_given_h(Tensor(h)).data, sigmoid(h @ W + b),
                               rtol=1e-14)
    np.testing.assert_array_equal(rbm(Tensor(v)).data, rbm.prob_h_given_v(Tensor(v)).data)
    free = -(v @ b) - np.log1p(np.exp(v @ W.T + c)).sum(axis=1)
    np.testing.assert_allclose(rbm.free_energy(Tensor(v)).data, free, rtol=1e-13)
    # F(v) = -log sum_h exp(-E(v, h)), summed over all 2^4 hidden states
    hs = all_states(4)
    energies = -(v @ b)[:, None] - (hs @ c)[None] - np.einsum("nv,hv->nh", v, hs @ W)
    np.testing.assert_allclose(free, -np.log(np.exp(-energies).sum(axis=1)), rtol=1e-12)


def test_free_energy_is_finite_and_exact_for_huge_inputs():
    rbm = RBM(2, 2, dtype=np.float64)
    rbm.weight.data[...] = [[800.0, 0.0], [-800.0, 0.0]]
    out = rbm.free_energy(Tensor(np.array([[1.0, 0.0]])))
    np.testing.assert_allclose(out.data, [-800.0], rtol=1e-15)  # softplus(800) + softplus(-800)


def test_samples_are_bernoulli_draws_with_the_conditional_probabilities():
    rbm = random_rbm(3, 5, scale=0.7)
    v = Tensor(np.repeat(binary((1, 3)), 20000, axis=0))
    autograd.manual_seed(4)
    h = rbm.sample_h(v)
    assert set(np.unique(h.data)) <= {0.0, 1.0} and not h.requires_grad
    p = rbm.prob_h_given_v(v).data[0]
    assert np.all(np.abs(h.data.mean(axis=0) - p) < 4 * np.sqrt(p * (1 - p) / 20000) + 1e-12)
    hh = Tensor(np.repeat(binary((1, 5), seed=3), 20000, axis=0))
    q = rbm.prob_v_given_h(hh).data[0]
    assert np.all(np.abs(rbm.sample_v(hh).data.mean(axis=0) - q)
                  < 4 * np.sqrt(q * (1 - q) / 20000) + 1e-12)
    autograd.manual_seed(4)
    np.testing.assert_array_equal(rbm.sample_h(v).data, h.data)  # the library generator


def test_gibbs_chain_is_the_alternation_of_the_two_samplers():
    rbm = random_rbm(4, 3)
    v = binary((6, 4))
    autograd.manual_seed(9)
    chain = rbm.gibbs(v, steps=3)
    autograd.manual_seed(9)
    x = Tensor(v)
    for _ in range(3):
        x = rbm.sample_v(rbm.sample_h(x))
    np.testing.assert_array_equal(chain.data, x.data)
    with pytest.raises(ValueError, match="RBM.gibbs: steps must be a positive int"):
        rbm.gibbs(v, steps=0)


# ---- contrastive divergence ------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 3])
def test_cd_estimate_is_the_classic_formula(k):
    rbm = random_rbm(6, 4)
    v = binary((7, 6))
    autograd.manual_seed(1)
    estimate = rbm.contrastive_divergence(v, k=k)
    autograd.manual_seed(1)
    vk = rbm.gibbs(v, k).data
    np.testing.assert_array_equal(estimate.v_model.data, vk)
    W, b, c = rbm.weight.data, rbm.v_bias.data, rbm.h_bias.data
    p0, pk = sigmoid(v @ W.T + c), sigmoid(vk @ W.T + c)
    np.testing.assert_allclose(estimate.weight.data, (p0.T @ v - pk.T @ vk) / 7, rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(estimate.v_bias.data, (v - vk).mean(0), atol=1e-15)
    np.testing.assert_allclose(estimate.h_bias.data, (p0 - pk).mean(0), rtol=1e-12, atol=1e-15)
    assert all(p.grad is None for p in rbm.parameters())  # nothing recorded or changed


@pytest.mark.parametrize("k", [1, 2, 5])
def test_free_energy_difference_has_minus_the_cd_estimate_as_its_gradient(k):
    # d F(v) / dW = -p(h|v) v^T, dF/db = -v, dF/dc = -p(h|v): the autograd gradient of
    # mean F(v_data) - mean F(v_model) is exactly -(<v h>_data - <v h>_model)
    rbm = random_rbm(7, 5, seed=k)
    v = binary((9, 7), seed=k)
    autograd.manual_seed(k)
    estimate = rbm.contrastive_divergence(v, k=k)
    loss = rbm.free_energy_loss(v, estimate.v_model)
    loss.backward()
    for name in ("weight", "v_bias", "h_bias"):
        np.testing.assert_allclose(getattr(rbm, name).grad.data,
                                   -getattr(estimate, name).data, rtol=1e-13, atol=1e-15,
                                   err_msg=name)


def test_an_optimizer_step_on_the_free_energy_loss_is_a_cd_step():
    v = binary((8, 5))
    first, second = random_rbm(5, 3, scale=0.3), random_rbm(5, 3, scale=0.3)
    autograd.manual_seed(2)
    first.cd_step(v, lr=0.05, k=2)
    autograd.manual_seed(2)
    optimizer = SGD(second.parameters(), lr=0.05)
    v_model = second.gibbs(v, steps=2)
    optimizer.zero_grad()
    second.free_energy_loss(v, v_model).backward()
    optimizer.step()
    for p, q in zip(first.parameters(), second.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-13, atol=1e-15)


def test_cd_step_with_momentum_and_weight_decay():
    rbm = random_rbm(5, 3, scale=0.3)
    v = binary((8, 5))
    start = {n: p.data.copy() for n, p in rbm.named_parameters()}
    lr, momentum, decay = 0.1, 0.9, 0.01
    autograd.manual_seed(0)
    first = rbm.cd_step(v, lr, momentum=momentum, weight_decay=decay)
    after_one = {n: p.data.copy() for n, p in rbm.named_parameters()}
    second = rbm.cd_step(v, lr, momentum=momentum, weight_decay=decay)
    velocity_w = lr * (first.weight.data - decay * start["weight"])
    np.testing.assert_allclose(after_one["weight"], start["weight"] + velocity_w, rtol=1e-14)
    velocity_w = momentum * velocity_w + lr * (second.weight.data - decay * after_one["weight"])
    np.testing.assert_allclose(rbm.weight.data, after_one["weight"] + velocity_w, rtol=1e-14)
    velocity_b = lr * first.v_bias.data  # no decay on the biases
    velocity_b = momentum * velocity_b + lr * second.v_bias.data
    np.testing.assert_allclose(rbm.v_bias.data, after_one["v_bias"] + velocity_b, rtol=1e-14)


def test_bad_data_is_rejected_before_anything_changes():
    rbm = random_rbm(4, 3)
    before = [p.data.copy() for p in rbm.parameters()]
    with pytest.raises(ValueError, match=r"RBM.contrastive_divergence: visible values must lie "
                                         r"in \[0, 1\] .* from -0.5 to 2.0"):
        rbm.cd_step(np.array([[0.0, 1.0, -0.5, 2.0]]), lr=0.1)
    with pytest.raises(ValueError, match=r"RBM.train: expected visible units of shape \(N, 4\)"
                                         r" or \(4,\), got shape \(2, 5\)"):
        rbm.train(np.zeros((2, 5)), epochs=1)
    with pytest.raises(ValueError, match=r"RBM.prob_v_given_h: expected hidden units of shape "
                                         r"\(N, 3\)"):
        rbm.prob_v_given_h(Tensor(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="RBM.cd_step: lr must be a non-negative number"):
        rbm.cd_step(np.zeros((1, 4)), lr=-1.0)
    for p, old in zip(rbm.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_train_with_a_bool_is_the_module_mode_switch():
    rbm = RBM(3, 2)
    assert rbm.train(False) is rbm and not rbm.training
    assert rbm.train() is rbm and rbm.training
    assert rbm.train(mode=False) is rbm and not rbm.training
    rbm.train(np.True_)
    assert rbm.training
    rbm.eval()
    assert not rbm.training


# ---- learning --------------------------------------------------------------------------------
def test_cd1_learns_bars_and_stripes():
    data, _ = bars_and_stripes(3)  # 14 patterns of the 512 binary 3x3 images
    autograd.manual_seed(0)
    rbm = RBM(9, 16)
    start = rbm.reconstruction_error(data)
    history = rbm.train(data, epochs=300, batch_size=4, lr=0.2, k=1, momentum=0.5)
    assert len(history) == 300
    assert history[-1] < 0.05 * start
    # the exact distribution p(v) = exp(-F(v)) / Z over all 512 images
    states = all_states(9)
    free = rbm.free_energy(Tensor(states.astype(np.float32))).data.astype(np.float64)
    log_z = -free.min() + np.log(np.exp(-(free - free.min())).sum())
    probability = np.exp(-free - log_z)
    is_training = (states[:, None, :] == data[None]).all(-1).any(-1)
    assert probability[is_training].sum() > 0.4  # a uniform model gives 14 / 512 = 0.027
    assert free[is_training].mean() < free[~is_training].mean() - 2
    assert np.all(free[is_training] < np.median(free[~is_training]))


# ---- deep belief nets ------------------------------------------------------------------------
def test_pretrain_stack_trains_each_rbm_on_the_probabilities_of_the_one_below():
    data, _ = bars_and_stripes(3)
    autograd.manual_seed(1)
    stack = pretrain_stack([9, 6, 4], data, epochs=5, batch_size=7, lr=0.1)
    autograd.manual_seed(1)
    bottom, top = RBM(9, 6), RBM(6, 4)
    bottom.train(data, epochs=5, batch_size=7, lr=0.1)
    top.train(bottom.prob_h_given_v(Tensor(data)), epochs=5, batch_size=7, lr=0.1)
    for trained, manual in zip(stack, (bottom, top)):
        for p, q in zip(trained.parameters(), manual.parameters()):
            np.testing.assert_array_equal(p.data, q.data)
    with pytest.raises(ValueError, match="pretrain_stack: sizes must list at least two"):
        pretrain_stack([9], data)


def test_dbn_pretrains_converts_to_an_mlp_and_fine_tunes():
    data, labels = bars_and_stripes(3)
    keep = data.sum(1) % 9 != 0  # drop the blank and full images, which are both
    x, y = data[keep], labels[keep]
    autograd.manual_seed(0)
    dbn = DBN([9, 8, 6])
    assert list(dbn.state_dict())[:3] == ["rbms.0.weight", "rbms.0.v_bias", "rbms.0.h_bias"]
    histories = dbn.pretrain(x, epochs=100, batch_size=4, lr=0.2, momentum=0.5)
    assert len(histories) == 2 and all(h[-1] < h[0] for h in histories)

    features = dbn.to_mlp()  # no classifier: exactly the DBN's upward pass
    np.testing.assert_allclose(features(Tensor(x)).data, dbn(Tensor(x)).data, rtol=1e-6)

    mlp = dbn.to_mlp(num_classes=2)
    assert mlp.sizes == (9, 8, 6, 2)
    assert all(type(m).__name__ == "Sigmoid" for m in mlp.layers if not hasattr(m, "weight"))
    for rbm, layer in zip(dbn.rbms, mlp.linear_layers()):
        np.testing.assert_array_equal(layer.weight.data, rbm.weight.data)
        np.testing.assert_array_equal(layer.bias.data, rbm.h_bias.data)
    assert not np.shares_memory(mlp.linear_layers()[0].weight.data, dbn.rbms[0].weight.data)

    inputs, targets = Tensor(x), Tensor(y)
    optimizer = SGD(mlp.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = F.cross_entropy(mlp(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert np.array_equal(mlp(inputs).data.argmax(1), y)


def test_init_mlp_from_rbms_checks_every_shape_before_copying():
    rbms = [RBM(5, 4), RBM(4, 3)]
    mlp = MLP([5, 4, 2, 2], activation="sigmoid")
    before = mlp.linear_layers()[0].weight.data.copy()
    with pytest.raises(ValueError, match=r"RBM 1 has weight shape \(3, 4\) but Linear layer 1 "
                                         r"has \(2, 4\)"):
        init_mlp_from_rbms(mlp, rbms)
    np.testing.assert_array_equal(mlp.linear_layers()[0].weight.data, before)
    with pytest.raises(ValueError, match="3 RBMs but the MLP has only 2 Linear layers"):
        init_mlp_from_rbms(MLP([5, 4, 3]), rbms + [RBM(3, 2)])
    mlp = init_mlp_from_rbms(MLP([5, 4, 3, 2], activation="sigmoid"), rbms)
    np.testing.assert_array_equal(mlp.linear_layers()[1].weight.data, rbms[1].weight.data)
