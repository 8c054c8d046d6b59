"""nn.architectures: MLP, LeNet5, VGGSmall, BasicBlock/ResNet, InceptionBlock/InceptionNet and
Autoencoder. Shapes and hand-counted parameters on 8x8 and 28x28 inputs, state_dict keys,
the MLP initialisation schemes and their documented statistics, gradcheck in float64, and
PyTorch (float64) state_dicts loading into the same architecture with the same outputs."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Tensor, gradcheck
from nn.activation import LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.architectures import (MLP, Autoencoder, BasicBlock, InceptionBlock, InceptionNet,
                              LeNet5, ResNet, VGGSmall, activation_layer, initialise_linear)
from nn.containers import Identity
from nn.dropout import Dropout
from nn.linear import Linear
from nn.normalization import BatchNorm1d


def to_float64(module):
    """Every floating parameter and buffer of `module` as float64, in place."""
    for tensor in list(module.parameters()) + list(module.buffers()):
        if np.issubdtype(tensor.data.dtype, np.floating):
            tensor.data = tensor.data.astype(np.float64)
    return module


def count(module):
    return sum(p.numel() for p in module.parameters())


def images(n, size, channels=1, seed=0, dtype=np.float32):
    return Tensor(np.random.default_rng(seed).standard_normal((n, channels, size, size))
                  .astype(dtype))


def leaf(array):
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def conv(c_in, c_out, k):
    """Weights and bias of a k x k convolution."""
    return c_in * c_out * k * k + c_out


def fc(a, b):
    return a * b + b


# ---- shapes and parameter counts -------------------------------------------------------------
LENET_28 = conv(1, 6, 5) + conv(6, 16, 5) + fc(16 * 5 * 5, 120) + fc(120, 84) + fc(84, 10)
LENET_8 = conv(1, 6, 5) + conv(6, 16, 5) + fc(16 * 2 * 2, 120) + fc(120, 84) + fc(84, 10)
VGG_CONVS = conv(1, 16, 3) + conv(16, 16, 3) + conv(16, 32, 3) + conv(32, 32, 3)
VGG_28 = VGG_CONVS + fc(32 * 7 * 7, 64) + fc(64, 10)
VGG_8 = VGG_CONVS + fc(32 * 2 * 2, 64) + fc(64, 10)
BN = 2  # gamma and beta per channel


def basic_block_count(c_in, c_out, projection):
    return (9 * c_in * c_out + BN * c_out + 9 * c_out * c_out + BN * c_out
            + (c_in * c_out + BN * c_out if projection else 0))


RESNET = (9 * 1 * 16 + BN * 16                                        # stem
          + 2 * basic_block_count(16, 16, False)                        # layer1
          + basic_block_count(16, 32, True) + basic_block_count(32, 32, False)  # layer2
          + fc(32, 10))


def inception_count(c, c1, c3r, c3, c5r, c5, pool):
    return (fc(c, c1) + fc(c, c3r) + conv(c3r, c3, 3) + fc(c, c5r) + conv(c5r, c5, 5)
            + fc(c, pool))


INCEPTION_NET = (conv(1, 16, 3) + inception_count(16, 8, 8, 16, 4, 8, 8)
                 + inception_count(40, 16, 16, 24, 4, 8, 8) + fc(56, 10))


@pytest.mark.parametrize("make, shape, out_shape, parameters", [
    (lambda: LeNet5(), (3, 1, 28, 28), (3, 10), LENET_28),
    (lambda: LeNet5(input_size=8), (3, 1, 8, 8), (3, 10), LENET_8),
    (lambda: LeNet5(in_channels=3, num_classes=5, input_size=32), (2, 3, 32, 32), (2, 5),
     conv(3, 6, 5) + conv(6, 16, 5) + fc(400, 120) + fc(120, 84) + fc(84, 5)),
    (lambda: VGGSmall(), (2, 1, 28, 28), (2, 10), VGG_28),
    (lambda: VGGSmall(input_size=8), (2, 1, 8, 8), (2, 10), VGG_8),
    (lambda: ResNet(), (2, 1, 28, 28), (2, 10), RESNET),
    (lambda: ResNet(), (2, 1, 8, 8), (2, 10), RESNET),
    (lambda: InceptionNet(), (2, 1, 28, 28), (2, 10), INCEPTION_NET),
    (lambda: InceptionNet(), (2, 1, 8, 8), (2, 10), INCEPTION_NET),
    (lambda: InceptionBlock(16, 8, 8, 16, 4, 8, 8), (2, 16, 8, 8), (2, 40, 8, 8),
     inception_count(16, 8, 8, 16, 4, 8, 8)),
    (lambda: BasicBlock(16, 32, stride=2), (2, 16, 28, 28), (2, 32, 14, 14),
     basic_block_count(16, 32, True)),
    (lambda: BasicBlock(8, 8), (2, 8, 8, 8), (2, 8, 8, 8), basic_block_count(8, 8, False)),
    (lambda: MLP([64, 128, 10]), (5, 64), (5, 10), fc(64, 128) + fc(128, 10)),
    (lambda: MLP([784, 100, 10], batch_norm=True), (4, 784), (4, 10),
     fc(784, 100) + BN * 100 + fc(100, 10)),
    (lambda: Autoencoder(), (5, 64), (5, 64), fc(64, 32) + fc(32, 2) + fc(2, 32) + fc(32, 64)),
    (lambda: Autoencoder((784, 64, 2)), (2, 784), (2, 784),
     fc(784, 64) + fc(64, 2) + fc(2, 64) + fc(64, 784)),
])
def test_output_shape_dtype_and_parameter_count(make, shape, out_shape, parameters):
    autograd.manual_seed(0)
    model = make()
    out = model(Tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32)))
    assert out.shape == out_shape
    assert out.dtype == np.float32  # no silent upcasting
    assert count(model) == parameters
    out.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())


def test_hand_counts_are_the_documented_totals():
    # the numbers in the docstrings, computed once by hand
    assert (LENET_28, LENET_8, VGG_28, VGG_8, RESNET, INCEPTION_NET) == \
        (61706, 21386, 117434, 25274, 42938, 9274)


# ---- LeNet-5 ---------------------------------------------------------------------------------
def test_lenet_state_dict_keys_and_weight_shapes():
    state = LeNet5().state_dict()
    assert {k: tuple(v.shape) for k, v in state.items()} == {
        "features.0.weight": (6, 1, 5, 5), "features.0.bias": (6,),
        "features.3.weight": (16, 6, 5, 5), "features.3.bias": (16,),
        "classifier.0.weight": (120, 400), "classifier.0.bias": (120,),
        "classifier.2.weight": (84, 120), "classifier.2.bias": (84,),
        "classifier.4.weight": (10, 84), "classifier.4.bias": (10,)}
    assert list(state) == ["features.0.weight", "features.0.bias", "features.3.weight",
                           "features.3.bias", "classifier.0.weight", "classifier.0.bias",
                           "classifier.2.weight", "classifier.2.bias", "classifier.4.weight",
                           "classifier.4.bias"]
    assert LeNet5(input_size=8).state_dict()["classifier.0.weight"].shape == (120, 64)


@pytest.mark.parametrize("size, maps", [
    (28, [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5)]),
    (8, [(6, 8, 8), (6, 8, 8), (6, 4, 4), (16, 4, 4), (16, 4, 4), (16, 2, 2)]),
])
def test_lenet_summary_shows_the_documented_layer_shapes(size, maps):
    lines = []
    rows = LeNet5(input_size=size).summary(2, 1, size, size, print_fn=lines.append)
    shapes = [shape for _, _, shape, _ in rows]
    assert shapes == [(2,) + m for m in maps] + [(2, 120), (2, 120), (2, 84), (2, 84), (2, 10)]
    assert [name for name, *_ in rows][:4] == ["features.0", "features.1", "features.2",
                                              "features.3"]
    text = "\n".join(lines)
    assert str((2,) + maps[-1]) in text and f"{LENET_28 if size == 28 else LENET_8:,}" in text


def test_lenet_tanh_average_pooling_variant():
    model = LeNet5(activation="tanh", pooling="avg")
    assert type(model.features[1]).__name__ == "Tanh"
    assert type(model.features[2]).__name__ == "AvgPool2d"
    assert model(images(2, 28)).shape == (2, 10)


def test_lenet_rejects_bad_sizes_and_inputs():
    with pytest.raises(ValueError, match=r"LeNet5: input_size must be one of \[8, 28, 32\]"):
        LeNet5(input_size=16)
    with pytest.raises(ValueError, match="LeNet5: pooling"):
        LeNet5(pooling="median")
    with pytest.raises(ValueError, match=r"LeNet5: expected an input of shape \(N, 1, 28, 28\), "
                                         r"got shape \(2, 1, 8, 8\)"):
        LeNet5()(images(2, 8))


# ---- MLP -------------------------------------------------------------------------------------
def test_mlp_layer_order_keys_and_linear_layers():
    model = MLP([4, 6, 5, 3], activation="tanh", batch_norm=True, dropout=0.2,
                output_activation="sigmoid")
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout",
                     "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "Sigmoid"]
    assert list(model.state_dict()) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
        "layers.4.weight", "layers.4.bias", "layers.5.weight", "layers.5.bias",
        "layers.5.running_mean", "layers.5.running_var", "layers.5.num_batches_tracked",
        "layers.8.weight", "layers.8.bias"]
    linears = model.linear_layers()
    assert [(m.in_features, m.out_features) for m in linears] == [(4, 6), (6, 5), (5, 3)]
    assert linears[0] is model.layers[0]
    plain = MLP([3, 2])
    assert [type(m).__name__ for m in plain.layers] == ["Linear"]  # no hidden layer


@pytest.mark.parametrize("activation, kind", [
    ("relu", ReLU), ("tanh", Tanh), ("sigmoid", Sigmoid), ("leaky_relu", LeakyReLU),
    ("softplus", Softplus), ("identity", Identity), (Tanh, Tanh),
    (functools.partial(LeakyReLU, 0.2), LeakyReLU)])
def test_mlp_activation_by_name_or_class(activation, kind):
    model = MLP([3, 4, 4, 2], activation=activation)
    hidden = [m for m in model.layers if not isinstance(m, Linear)]
    assert len(hidden) == 2 and all(type(m) is kind for m in hidden)
    assert hidden[0] is not hidden[1]  # one module per layer


def test_mlp_matches_a_hand_written_forward():
    autograd.manual_seed(2)
    model = to_float64(MLP([3, 4, 2], activation="tanh", output_activation="sigmoid"))
    x = np.random.default_rng(0).standard_normal((5, 3))
    (w1, b1), (w2, b2) = [(m.weight.data, m.bias.data) for m in model.linear_layers()]
    expected = 1 / (1 + np.exp(-(np.tanh(x @ w1.T + b1) @ w2.T + b2)))
    np.testing.assert_allclose(model(Tensor(x)).data, expected, rtol=1e-13)


def test_mlp_dropout_only_in_training():
    autograd.manual_seed(0)
    model = MLP([10, 50, 2], dropout=0.5)
    x = Tensor(np.ones((4, 10), np.float32))
    model.eval()
    np.testing.assert_array_equal(model(x).data, model(x).data)
    model.train()
    assert not np.array_equal(model(x).data, model(x).data)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(sizes=[5]), ValueError, "MLP: sizes must be a sequence of at least 2"),
    (dict(sizes=[5, 0]), ValueError, r"MLP: sizes\[1\] must be a positive int, got 0"),
    (dict(sizes=[5, 2], activation="swish"), ValueError, "MLP: unknown activation 'swish'"),
    (dict(sizes=[5, 2], activation=ReLU()), TypeError, "pass the activation's class"),
    (dict(sizes=[5, 2], init="orthogonal"), ValueError, "MLP: unknown init 'orthogonal'"),
    (dict(sizes=[5, 2], dropout=1.5), ValueError, "MLP: dropout must be a probability"),
])
def test_mlp_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        MLP(**kwargs)


def test_mlp_names_the_expected_width_for_a_wrong_input():
    with pytest.raises(ValueError, match=r"MLP: expected an input of shape \(\.\.\., 64\), got "
                                         r"shape \(2, 63\)"):
        MLP([64, 10])(Tensor(np.zeros((2, 63), np.float32)))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=2, max_size=5), st.integers(1, 4))
def test_mlp_any_widths_have_the_counted_parameters_and_output(sizes, batch):
    model = MLP(sizes)
    assert count(model) == sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert model(Tensor(np.zeros((batch, sizes[0]), np.float32))).shape == (batch, sizes[-1])


# ---- MLP initialisations ---------------------------------------------------------------------
FAN_IN, FAN_OUT = 400, 300


@pytest.mark.parametrize("scheme, distribution, scale", [
    ("small", "normal", 0.01),
    ("large", "normal", 1.0),
    ("fan_in_uniform", "uniform", 1 / np.sqrt(FAN_IN)),
    ("xavier_uniform", "uniform", np.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_normal", "normal", np.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("kaiming_uniform", "uniform", np.sqrt(6 / FAN_IN)),
    ("kaiming_normal", "normal", np.sqrt(2 / FAN_IN)),
])
def test_named_inits_have_the_documented_statistics(scheme, distribution, scale):
    autograd.manual_seed(0)
    model = MLP([FAN_IN, FAN_OUT, 10], init=scheme)
    layer = model.linear_layers()[0]
    w = layer.weight.data.astype(np.float64)
    assert w.dtype == np.float64 and layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.bias.data, 0)
    np.testing.assert_array_equal(model.linear_layers()[1].bias.data, 0)
    # 120,000 draws: the sample std is within 1% of the true one with overwhelming odds
    expected_std = scale if distribution == "normal" else scale / np.sqrt(3)
    assert abs(w.std() / expected_std - 1) < 0.01
    assert abs(w.mean()) < 4 * expected_std / np.sqrt(w.size)
    if distribution == "uniform":
        assert np.abs(w).max() <= scale and np.abs(w).max() > 0.99 * scale
    second = model.linear_layers()[1].weight.data  # fans of layer 2: (300, 10)
    if scheme == "kaiming_normal":
        assert abs(second.std() / np.sqrt(2 / FAN_OUT) - 1) < 0.03


def test_default_init_is_pytorchs_and_reproducible():
    autograd.manual_seed(5)
    first = MLP([FAN_IN, FAN_OUT, 10])
    autograd.manual_seed(5)
    second = MLP([FAN_IN, FAN_OUT, 10])
    for a, b in zip(first.parameters(), second.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    layer = first.linear_layers()[0]
    bound = 1 / np.sqrt(FAN_IN)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.bias.data).max() <= bound and np.abs(layer.bias.data).max() > 0.9 * bound
    assert abs(layer.weight.data.std() * np.sqrt(3) / bound - 1) < 0.01


def test_zeros_and_constant_and_callable_inits():
    zero = MLP([5, 4, 3], init="zeros")
    assert all(np.all(p.data == 0) for p in zero.parameters())
    const = MLP([5, 4, 3], init="constant", init_constant=0.3)
    for layer in const.linear_layers():
        np.testing.assert_array_equal(layer.weight.data, np.float32(0.3))
        np.testing.assert_array_equal(layer.bias.data, 0)
    custom = MLP([5, 4, 3], init=lambda w: w.data.fill(2.0))
    np.testing.assert_array_equal(custom.linear_layers()[1].weight.data, 2.0)
    np.testing.assert_array_equal(custom.linear_layers()[1].bias.data, 0.0)
    with pytest.raises(ValueError, match="initialise_linear: unknown scheme 'bogus'"):
        initialise_linear(Linear(2, 2), "bogus")


def sgd_steps(model, steps=5, lr=0.5, seed=0):
    """A few steps of plain gradient descent on a fixed regression problem."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((16, model.sizes[0])).astype(np.float32))
    y = Tensor(rng.standard_normal((16, model.sizes[-1])).astype(np.float32))
    for _ in range(steps):
        model.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad.data


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_symmetric_inits_never_differentiate_the_units_of_a_layer(scheme, activation):
    model = MLP([3, 6, 5, 2], activation=activation, init=scheme)
    start = model.linear_layers()[0].weight.data.copy()
    sgd_steps(model)
    for layer in model.linear_layers()[:-1]:
        w = layer.weight.data
        # every hidden unit has the same incoming weights: they compute the same function
        np.testing.assert_allclose(w, np.broadcast_to(w[:1], w.shape), rtol=0, atol=0)
        np.testing.assert_allclose(layer.bias.data, layer.bias.data[0], rtol=0, atol=0)
    last = model.linear_layers()[-1].weight.data  # each output sees identical hidden units
    np.testing.assert_array_equal(last, np.broadcast_to(last[:, :1], last.shape))
    if scheme == "zeros" and activation == "tanh":
        # tanh(0) = 0: no signal reaches the hidden layers, so their weights never move
        np.testing.assert_array_equal(model.linear_layers()[0].weight.data, 0)
    else:
        assert np.all(model.linear_layers()[0].weight.data != start)  # they move, in lockstep


def test_random_init_does_break_the_symmetry():
    autograd.manual_seed(0)
    model = MLP([3, 6, 5, 2], activation="tanh", init="xavier_uniform")
    sgd_steps(model)
    w = model.linear_layers()[0].weight.data
    assert np.unique(w.round(6), axis=0).shape[0] == w.shape[0]


def test_small_init_vanishes_and_large_init_saturates_tanh_but_xavier_keeps_the_scale():
    x = Tensor(np.random.default_rng(0).standard_normal((256, 100)).astype(np.float32))

    def last_hidden(scheme):
        autograd.manual_seed(0)
        model = MLP([100] * 7 + [10], activation="tanh", init=scheme)
        return model.layers[:-1](x).data  # the output of the last tanh

    assert last_hidden("small").std() < 1e-6         # 0.1^6 of the input scale
    assert np.mean(np.abs(last_hidden("large")) > 0.99) > 0.5  # most units saturated
    assert 0.1 < last_hidden("xavier_normal").std() < 0.9


# ---- gradcheck (float64) ---------------------------------------------------------------------
def test_gradcheck_mlp_with_batch_norm_in_training_mode():
    autograd.manual_seed(0)
    model = to_float64(MLP([3, 4, 2], activation="tanh", batch_norm=True))
    model.train()
    assert isinstance(model.layers[1], BatchNorm1d)
    x = leaf(np.random.default_rng(0).standard_normal((5, 3)))
    assert gradcheck(lambda x, *params: model(x), (x, *model.parameters()))


def test_gradcheck_basic_block_with_projection_shortcut():
    autograd.manual_seed(1)
    block = to_float64(BasicBlock(2, 3, stride=2))
    x = leaf(np.random.default_rng(1).standard_normal((2, 2, 4, 4)))
    assert gradcheck(lambda x, *params: block(x), (x, *block.parameters()))


def test_gradcheck_basic_block_with_identity_shortcut():
    autograd.manual_seed(2)
    block = to_float64(BasicBlock(2, 2))
    assert block.downsample is None
    x = leaf(np.random.default_rng(2).standard_normal((2, 2, 3, 3)))
    assert gradcheck(lambda x, *params: block(x), (x, *block.parameters()))


def test_gradcheck_inception_block():
    autograd.manual_seed(3)
    block = to_float64(InceptionBlock(2, 1, 1, 2, 1, 1, 1))
    x = leaf(np.random.default_rng(3).standard_normal((1, 2, 4, 4)))
    assert gradcheck(lambda x, *params: block(x), (x, *block.parameters()))


# ---- building blocks -------------------------------------------------------------------------
def test_basic_block_identity_shortcut_adds_the_input():
    block = to_float64(BasicBlock(2, 2)).eval()
    for p in block.parameters():
        p.data[...] = 0  # F(x) = 0 (BN gamma = beta = 0): the block is relu(x)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    np.testing.assert_array_equal(block(Tensor(x)).data, np.maximum(x, 0))
    keys = list(BasicBlock(2, 4, stride=2).state_dict())
    assert keys[:2] == ["conv1.weight", "bn1.weight"]
    assert "downsample.0.weight" in keys and "downsample.1.running_var" in keys
    assert "conv1.bias" not in keys


def test_inception_block_concatenates_the_four_branches_in_order():
    autograd.manual_seed(0)
    block = InceptionBlock(3, 2, 2, 4, 1, 3, 5)
    x = images(2, 6, channels=3)
    out = block(x).data
    parts = [branch(x).data for branch in (block.branch1, block.branch2, block.branch3,
                                           block.branch4)]
    assert [p.shape[1] for p in parts] == [2, 4, 3, 5] and block.out_channels == 14
    np.testing.assert_array_equal(out, np.concatenate(parts, axis=1))


def test_resnet_stages_and_global_average_pooling():
    model = ResNet(block_counts=(1, 2, 1), channels=(4, 8, 16), num_classes=3, in_channels=2)
    assert [len(stage) for stage in model.stages()] == [1, 2, 1]
    assert model.layer1[0].downsample is None
    assert model.layer2[0].stride == 2 and model.layer2[0].downsample is not None
    assert model(images(2, 12, channels=2)).shape == (2, 3)
    assert model(images(2, 5, channels=2)).shape == (2, 3)  # any size: global pooling
    with pytest.raises(ValueError, match="ResNet: block_counts .* one entry per stage"):
        ResNet(block_counts=(2,), channels=(4, 8))
    with pytest.raises(ValueError, match=r"ResNet: expected an input of shape \(N, 2, H, W\)"):
        model(images(2, 8))


def test_vgg_stages_and_validation():
    model = VGGSmall(channels=(4, 8, 8), convs_per_stage=3, input_size=28, batch_norm=True)
    kinds = [type(m).__name__ for m in model.features]
    assert kinds.count("Conv2d") == 9 and kinds.count("MaxPool2d") == 3
    assert kinds[:3] == ["Conv2d", "BatchNorm2d", "ReLU"]
    assert model.flat_features == 8 * 3 * 3
    assert model(images(2, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="VGGSmall: input_size 4 is too small"):
        VGGSmall(channels=(4, 8, 8), input_size=4)


def test_autoencoder_encode_decode_and_training_lowers_the_error():
    autograd.manual_seed(0)
    model = Autoencoder((8, 6, 2), activation="tanh")
    rng = np.random.default_rng(0)
    codes = rng.standard_normal((64, 2))
    x = Tensor((1 / (1 + np.exp(-codes @ rng.standard_normal((2, 8))))).astype(np.float32))
    z = model.encode(x)
    assert z.shape == (64, 2)
    np.testing.assert_array_equal(model(x).data, model.decode(z).data)
    assert np.all((model(x).data > 0) & (model(x).data < 1))  # sigmoid output
    assert type(model.decoder.layers[-1]).__name__ == "Sigmoid"
    assert type(model.encoder.layers[-1]).__name__ == "Linear"  # linear code units

    def loss():
        return ((model(x) - x) ** 2).mean()

    from optim import Adam
    optimizer = Adam(model.parameters(), lr=0.02)
    start = loss().item()
    for _ in range(150):
        optimizer.zero_grad()
        value = loss()
        value.backward()
        optimizer.step()
    assert loss().item() < 0.3 * start


def test_activation_layer_helper_errors():
    assert isinstance(activation_layer("relu"), ReLU)
    with pytest.raises(TypeError, match="returned int, not a Module"):
        activation_layer(lambda: 3)
    with pytest.raises(TypeError, match="must be a name or a Module class"):
        activation_layer(3.0)
    assert isinstance(MLP([2, 3, 1], dropout=0.3).layers[2], Dropout)


# ---- against PyTorch (float64) ---------------------------------------------------------------
def torch_state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def torch_basic_block(torch, c_in, c_out, stride):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.downsample = None
            if stride != 1 or c_in != c_out:
                self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                                nn.BatchNorm2d(c_out))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    return Block()


def randomise_batch_norm(torch, module):
    """Non-trivial BN parameters and running statistics, so loading them is tested."""
    generator = torch.Generator().manual_seed(0)
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.uniform_(-0.5, 0.5, generator=generator)
                m.running_mean.uniform_(-0.5, 0.5, generator=generator)
                m.running_var.uniform_(0.5, 2.0, generator=generator)


@pytest.mark.parametrize("c_in, c_out, stride", [(3, 3, 1), (3, 5, 2)])
def test_basic_block_matches_torch_after_loading_its_state_dict(c_in, c_out, stride):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch_basic_block(torch, c_in, c_out, stride).double()
    randomise_batch_norm(torch, reference)
    block = to_float64(BasicBlock(c_in, c_out, stride))
    assert list(block.state_dict()) == list(reference.state_dict())
    block.load_state_dict(torch_state(reference))
    x = np.random.default_rng(0).standard_normal((2, c_in, 6, 6))
    for training in (True, False):
        block.train(training)
        reference.train(training)
        ours, theirs = leaf(x), torch.tensor(x, requires_grad=True)
        out, expected = block(ours), reference(theirs)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        weights = np.random.default_rng(1).standard_normal(out.shape)
        (out * Tensor(weights)).sum().backward()
        (expected * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
        for (name, p), q in zip(block.named_parameters(), reference.parameters()):
            np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-9, atol=1e-11,
                                       err_msg=name)
        block.zero_grad()
        reference.zero_grad()
    for key, value in torch_state(reference).items():  # running statistics updated alike
        np.testing.assert_allclose(block.state_dict()[key].data, value, rtol=1e-12, err_msg=key)


def test_lenet_matches_torch_after_loading_its_state_dict():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)

    class TorchLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(),
                                          nn.MaxPool2d(2), nn.Conv2d(6, 16, 5, padding=2),
                                          nn.ReLU(), nn.MaxPool2d(2))
            self.classifier = nn.Sequential(nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84),
                                            nn.ReLU(), nn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.features(x).flatten(1))

    reference = TorchLeNet().double()
    model = to_float64(LeNet5(input_size=8))
    model.load_state_dict(torch_state(reference))
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8))
    np.testing.assert_allclose(model(Tensor(x)).data,
                               reference(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-13)


def test_resnet_and_inception_match_torch_after_loading_state_dicts():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)

    class TorchResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(4)
            self.relu = nn.ReLU()
            self.layer1 = nn.Sequential(torch_basic_block(torch, 4, 4, 1))
            self.layer2 = nn.Sequential(torch_basic_block(torch, 4, 6, 2),
                                        torch_basic_block(torch, 6, 6, 1))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(6, 3)

        def forward(self, x):
            x = self.layer2(self.layer1(self.relu(self.bn1(self.conv1(x)))))
            return self.fc(self.avgpool(x).flatten(1))

    reference = TorchResNet().double().eval()
    randomise_batch_norm(torch, reference)
    model = to_float64(ResNet((1, 2), (4, 6), num_classes=3)).eval()
    assert list(model.state_dict()) == list(reference.state_dict())
    model.load_state_dict(torch_state(reference))
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8))
    np.testing.assert_allclose(model(Tensor(x)).data,
                               reference(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-13)

    def branch(*layers):
        return nn.Sequential(*layers)

    class TorchInception(nn.Module):
        def __init__(self):
            super().__init__()
            self.branch1 = branch(nn.Conv2d(3, 2, 1), nn.ReLU())
            self.branch2 = branch(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.Conv2d(2, 4, 3, padding=1),
                                  nn.ReLU())
            self.branch3 = branch(nn.Conv2d(3, 1, 1), nn.ReLU(), nn.Conv2d(1, 2, 5, padding=2),
                                  nn.ReLU())
            self.branch4 = branch(nn.MaxPool2d(3, 1, 1), nn.Conv2d(3, 3, 1), nn.ReLU())

        def forward(self, x):
            return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x),
                              self.branch4(x)], 1)

    reference = TorchInception().double()
    block = to_float64(InceptionBlock(3, 2, 2, 4, 1, 2, 3))
    assert list(block.state_dict()) == list(reference.state_dict())
    block.load_state_dict(torch_state(reference))
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5))
    np.testing.assert_allclose(block(Tensor(x)).data,
                               reference(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-13)


def test_vgg_and_mlp_match_torch_after_loading_state_dicts():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    classifier = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 10))
    reference = nn.Module()
    reference.features, reference.classifier = features, classifier
    reference = reference.double().eval()
    model = to_float64(VGGSmall(channels=(4, 8), hidden_features=16, input_size=8)).eval()
    assert list(model.state_dict()) == list(reference.state_dict())
    model.load_state_dict(torch_state(reference))
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8))
    expected = classifier(features(torch.tensor(x)).flatten(1)).detach().numpy()
    np.testing.assert_allclose(model(Tensor(x)).data, expected, rtol=1e-10, atol=1e-13)

    mlp_reference = nn.Module()
    mlp_reference.layers = nn.Sequential(nn.Linear(5, 7), nn.BatchNorm1d(7), nn.Tanh(),
                                         nn.Linear(7, 2))
    mlp_reference = mlp_reference.double()
    mlp = to_float64(MLP([5, 7, 2], activation="tanh", batch_norm=True))
    assert list(mlp.state_dict()) == list(mlp_reference.state_dict())
    mlp.load_state_dict(torch_state(mlp_reference))
    x = np.random.default_rng(1).standard_normal((6, 5))
    np.testing.assert_allclose(mlp(Tensor(x)).data,
                               mlp_reference.layers(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-13)
