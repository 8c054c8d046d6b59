r"""The lecture notes' architectures, sized for 8x8 and 28x28 digit images.

- `MLP`: Linear -> [BatchNorm1d] -> activation -> [Dropout], repeated, then Linear; the
  multi-layer perceptron of the backprop lectures, with the notes' initialisations, batch
  norm and dropout as switches.
- `LeNet5`: conv 6@5x5, pool, conv 16@5x5, pool, 120, 84, classes. LeCun et al. (1998):
  shared weights, feature maps, subsampling.
- `VGGSmall`: stages of 3x3 convs + ReLU, each closed by a 2x2 max pool, then an MLP
  classifier. Simonyan & Zisserman (2014): depth from stacks of small filters.
- `BasicBlock`, `ResNet`: conv3x3-BN-ReLU-conv3x3-BN plus a shortcut, then ReLU; stages of
  blocks; global average pooling. He et al. (2015): residual connections keep gradients
  flowing through deep nets.
- `InceptionBlock`, `InceptionNet`: 1x1, 1x1->3x3, 1x1->5x5 and pool->1x1 branches side by
  side, concatenated. Szegedy et al. (2014, GoogLeNet): several receptive fields at once,
  with 1x1 "reduce" convolutions keeping it cheap.
- `Autoencoder`: an encoder MLP down to a code and a mirrored decoder. Hinton &
  Salakhutdinov (2006): non-linear dimension reduction.

Parameter names follow torchvision where it has the same layer (`features.0.weight`
in LeNet5/VGG, `conv1`/`bn1`/`downsample` in BasicBlock, `layer1`/`fc` in ResNet), so a
PyTorch state_dict of the same architecture loads unchanged.
"""
import numpy as np

from autograd.ops.join import cat
from nn import init
from nn.activation import ELU, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.containers import Identity, Sequential
from nn.conv import Conv2d
from nn.dropout import Dropout
from nn.linear import Linear
from nn.module import Module
from nn.normalization import BatchNorm1d, BatchNorm2d
from nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU,
               "softplus": Softplus, "elu": ELU, "identity": Identity}

INITIALISATIONS = ("zeros", "constant", "small", "large", "fan_in_uniform", "xavier_uniform",
                   "xavier_normal", "kaiming_uniform", "kaiming_normal")


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


def _positive_ints(owner, name, values, at_least=1):
    if isinstance(values, (int, np.integer, str)) or not hasattr(values, "__len__") \
            or len(values) < at_least:
        raise ValueError(f"{owner}: {name} must be a sequence of at least {at_least} positive "
                         f"ints, got {values!r}")
    return tuple(_positive_int(owner, f"{name}[{i}]", v) for i, v in enumerate(values))


def activation_layer(activation, owner="activation_layer"):
    """A fresh activation Module from a name (relu, tanh, sigmoid, leaky_relu, softplus,
    elu, identity) or from a Module class / zero-argument callable returning a Module
    (e.g. `LeakyReLU` or `functools.partial(LeakyReLU, 0.2)`)."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"{owner}: unknown activation {activation!r}; choose one of "
                             f"{sorted(ACTIVATIONS)} or pass a Module class")
        return ACTIVATIONS[activation]()
    if isinstance(activation, Module):
        raise TypeError(f"{owner}: pass the activation's class ({type(activation).__name__}), "
                        "not an instance, so that every layer gets its own module")
    if callable(activation):
        layer = activation()
        if not isinstance(layer, Module):
            raise TypeError(f"{owner}: the activation factory {activation!r} returned "
                            f"{type(layer).__name__}, not a Module")
        return layer
    raise TypeError(f"{owner}: activation must be a name or a Module class, got {activation!r}")


def _check_image(owner, input, channels):
    shape = tuple(input.shape)
    if len(shape) != 4 or shape[1] != channels:
        raise ValueError(f"{owner}: expected an input of shape (N, {channels}, H, W), got "
                         f"shape {shape}")


# ---- MLP ---------------------------------------------------------------------------------
class MLP(Module):
    r"""MLP(sizes, activation="relu", init=None, batch_norm=False, dropout=0.0,
    output_activation=None, *, init_constant=0.1, dtype=None)

    A fully connected network through the widths `sizes` (MLP([64, 128, 10]): 64 inputs,
    one hidden layer of 128 units, 10 outputs). Layer l computes
    a_l = f(BN(a_{l-1} W_l^T + b_l)) for the hidden layers, then Dropout, and the last
    layer gives z_L = a_{L-1} W_L^T + b_L (followed by `output_activation` if given;
    leave it None for logits fed to CrossEntropyLoss). In `layers` (a Sequential, so the
    state_dict keys are `layers.0.weight`, `layers.0.bias`, ...) each hidden layer is

        Linear, [BatchNorm1d if batch_norm], activation, [Dropout if dropout > 0]

    `activation` is a name (relu, tanh, sigmoid, leaky_relu, softplus, elu, identity) or
    a Module class. (The notes write each layer's weights as one matrix with a bias row;
    here that matrix is [W^T; b^T], see Linear.) With batch norm the Linear bias is
    redundant (BN subtracts the mean) but kept, so that the init experiments compare
    like with like.

    `init` sets every Linear weight (the notes' initialisation experiments); biases are
    then zero, except for None:

    | init | W |
    | --- | --- |
    | None | PyTorch's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W and b |
    | "zeros" | 0 (units identical; with relu/tanh no gradient reaches hidden weights) |
    | "constant" | `init_constant` everywhere (units identical for ever: symmetry never breaks) |
    | "small" | N(0, 0.01^2) (signals and gradients shrink layer by layer) |
    | "large" | N(0, 1) (saturated tanh/sigmoid units, exploding relu activations) |
    | "fan_in_uniform" | U(-1/sqrt(fan_in), 1/sqrt(fan_in)) |
    | "xavier_uniform" | U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot, gain 1) |
    | "xavier_normal" | N(0, 2 / (fan_in + fan_out)) |
    | "kaiming_uniform" | U(-b, b), b = sqrt(6 / fan_in) (He, relu gain sqrt 2) |
    | "kaiming_normal" | N(0, 2 / fan_in) |

    `init` may also be a function applied to each weight tensor in place (e.g.
    `lambda w: nn.init.orthogonal_(w)`); biases are zeroed then too. The Xavier and He
    forms are the notes' (gains 1 and sqrt 2 whatever the activation); for another gain
    pass a function such as `lambda w: init.xavier_uniform_(w, gain=5 / 3)`.
    Draws come from the library generator (`autograd.manual_seed`).
    """

    def __init__(self, sizes, activation="relu", init=None, batch_norm=False, dropout=0.0,
                 output_activation=None, *, init_constant=0.1, dtype=None):
        super().__init__()
        sizes = _positive_ints("MLP", "sizes", sizes, at_least=2)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MLP: dropout must be a probability between 0 and 1, got "
                             f"{dropout!r}")
        if init is not None and not callable(init) and init not in INITIALISATIONS:
            raise ValueError(f"MLP: unknown init {init!r}; choose None, one of "
                             f"{list(INITIALISATIONS)} or pass a function of the weight")
        activation_layer(activation, "MLP")  # validate before building anything
        if output_activation is not None:
            activation_layer(output_activation, "MLP")
        self.sizes = sizes
        self.init = init
        layers = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(fan_in, fan_out, dtype=dtype))
            if index < len(sizes) - 2:
                if batch_norm:
                    layers.append(BatchNorm1d(fan_out, dtype=dtype))
                layers.append(activation_layer(activation, "MLP"))
                if dropout > 0:
                    layers.append(Dropout(dropout))
        if output_activation is not None:
            layers.append(activation_layer(output_activation, "MLP"))
        self.layers = Sequential(*layers)
        if init is not None:
            for layer in self.linear_layers():
                initialise_linear(layer, init, init_constant)

    def linear_layers(self):
        """The Linear modules, input side first."""
        return [m for m in self.layers if isinstance(m, Linear)]

    def forward(self, input):
        shape = tuple(input.shape)
        if not shape or shape[-1] != self.sizes[0]:
            raise ValueError(f"MLP: expected an input of shape (..., {self.sizes[0]}), got "
                             f"shape {shape}")
        return self.layers(input)


def initialise_linear(layer, scheme, constant=0.1):
    """Initialise a Linear (or Conv2d) layer's weight by `scheme` (see MLP) and zero its bias."""
    weight = layer.weight
    if callable(scheme):
        scheme(weight)
    elif scheme == "zeros":
        init.zeros_(weight)
    elif scheme == "constant":
        init.constant_(weight, constant)
    elif scheme == "small":
        init.normal_(weight, 0.0, 0.01)
    elif scheme == "large":
        init.normal_(weight, 0.0, 1.0)
    elif scheme == "fan_in_uniform":
        init.fan_in_uniform_(weight)
    elif scheme == "xavier_uniform":
        init.xavier_uniform_(weight)
    elif scheme == "xavier_normal":
        init.xavier_normal_(weight)
    elif scheme == "kaiming_uniform":
        init.kaiming_uniform_(weight, nonlinearity="relu")
    elif scheme == "kaiming_normal":
        init.kaiming_normal_(weight, nonlinearity="relu")
    else:
        raise ValueError(f"initialise_linear: unknown scheme {scheme!r}; choose one of "
                         f"{list(INITIALISATIONS)} or a function of the weight")
    if layer.bias is not None:
        init.zeros_(layer.bias)
    return layer


# ---- LeNet-5 -----------------------------------------------------------------------------
# input size -> (conv1 padding, conv2 padding); both pools are 2x2 with stride 2
_LENET_PADDING = {32: (0, 0), 28: (2, 0), 8: (2, 2)}


class LeNet5(Module):
    r"""LeNet5(in_channels=1, num_classes=10, input_size=28, *, activation="relu",
    pooling="max")

    LeCun et al. (1998): two convolution + subsampling stages and three fully connected
    layers, the notes' "Conv -> ReLU -> Pool -> Conv -> ReLU -> Pool -> FC". Weight
    sharing makes each feature map one learned detector slid over the image. The
    original used tanh-like units and average subsampling (`activation="tanh"`,
    `pooling="avg"`); the defaults are the notes' ReLU and max pooling.

    `features` = conv1, act, pool, conv2, act, pool; `classifier` = fc 120, act, fc 84,
    act, fc classes; state_dict keys features.0.*, features.3.*, classifier.0.*,
    classifier.2.*, classifier.4.*. Shapes (per sample) for the supported sizes:

    | input_size | conv1 (5x5) | pool | conv2 (5x5) | pool | flatten | parameters |
    | --- | --- | --- | --- | --- | --- | --- |
    | 32 (original) | pad 0: 6x28x28 | 6x14x14 | pad 0: 16x10x10 | 16x5x5 | 400 | 61,706 |
    | 28 (MNIST) | pad 2: 6x28x28 | 6x14x14 | pad 0: 16x10x10 | 16x5x5 | 400 | 61,706 |
    | 8 (8x8 digits) | pad 2: 6x8x8 | 6x4x4 | pad 2: 16x4x4 | 16x2x2 | 64 | 21,386 |

    then 120, 84 and num_classes units (parameters for 1 channel and 10 classes). For
    8x8 inputs both convolutions keep the size (padding 2, "same") so that two 2x2
    poolings still leave a 2x2 map. `summary(N, in_channels, input_size, input_size)`
    prints every layer's output shape.
    """

    def __init__(self, in_channels=1, num_classes=10, input_size=28, *, activation="relu",
                 pooling="max"):
        super().__init__()
        in_channels = _positive_int("LeNet5", "in_channels", in_channels)
        num_classes = _positive_int("LeNet5", "num_classes", num_classes)
        if input_size not in _LENET_PADDING:
            raise ValueError(f"LeNet5: input_size must be one of {sorted(_LENET_PADDING)} "
                             f"(square images), got {input_size!r}")
        if pooling not in ("max", "avg"):
            raise ValueError(f"LeNet5: pooling must be 'max' or 'avg', got {pooling!r}")
        activation_layer(activation, "LeNet5")
        pool = MaxPool2d if pooling == "max" else AvgPool2d
        pad1, pad2 = _LENET_PADDING[input_size]
        self.in_channels, self.input_size = in_channels, input_size
        size = (input_size + 2 * pad1 - 4) // 2
        size = (size + 2 * pad2 - 4) // 2
        self.flat_features = 16 * size * size
        self.features = Sequential(
            Conv2d(in_channels, 6, 5, padding=pad1), activation_layer(activation), pool(2),
            Conv2d(6, 16, 5, padding=pad2), activation_layer(activation), pool(2))
        self.classifier = Sequential(
            Linear(self.flat_features, 120), activation_layer(activation),
            Linear(120, 84), activation_layer(activation),
            Linear(84, num_classes))

    def forward(self, input):
        shape = tuple(input.shape)
        expected = (self.in_channels, self.input_size, self.input_size)
        if len(shape) != 4 or shape[1:] != expected:
            raise ValueError(f"LeNet5: expected an input of shape (N, {expected[0]}, "
                             f"{expected[1]}, {expected[2]}), got shape {shape}")
        return self.classifier(self.features(input).flatten(1))


# ---- VGG ---------------------------------------------------------------------------------
class VGGSmall(Module):
    r"""VGGSmall(in_channels=1, num_classes=10, channels=(16, 32), convs_per_stage=2,
    hidden_features=64, dropout=0.5, input_size=28, batch_norm=False)

    Simonyan & Zisserman (2014): depth built from small 3x3 filters. Two stacked 3x3
    convolutions see a 5x5 window (three see 7x7) with fewer parameters (2 * 9 C^2 <
    25 C^2) and an extra non-linearity in between. `features` holds one stage per entry
    of `channels`: `convs_per_stage` x [Conv2d 3x3 padding 1 (size kept), (BatchNorm2d),
    ReLU], then MaxPool2d(2) halving the size. `classifier` = Linear(c_last * s * s,
    hidden_features), ReLU, Dropout(dropout), Linear(hidden_features, num_classes), s
    being input_size halved (rounded down) once per stage.

    Defaults, 1 input channel, 10 classes: 28x28 -> 16x14x14 -> 32x7x7 -> 1568 -> 64 -> 10
    (117,434 parameters); 8x8 -> 16x4x4 -> 32x2x2 -> 128 -> 64 -> 10 (25,274).
    """

    def __init__(self, in_channels=1, num_classes=10, channels=(16, 32), convs_per_stage=2,
                 hidden_features=64, dropout=0.5, input_size=28, batch_norm=False):
        super().__init__()
        in_channels = _positive_int("VGGSmall", "in_channels", in_channels)
        num_classes = _positive_int("VGGSmall", "num_classes", num_classes)
        channels = _positive_ints("VGGSmall", "channels", channels)
        convs_per_stage = _positive_int("VGGSmall", "convs_per_stage", convs_per_stage)
        hidden_features = _positive_int("VGGSmall", "hidden_features", hidden_features)
        input_size = _positive_int("VGGSmall", "input_size", input_size)
        if input_size >> len(channels) < 1:
            raise ValueError(f"VGGSmall: input_size {input_size} is too small for "
                             f"{len(channels)} poolings by 2 (needs at least "
                             f"{2 ** len(channels)})")
        self.in_channels, self.input_size = in_channels, input_size
        layers, previous = [], in_channels
        for width in channels:
            for _ in range(convs_per_stage):
                layers.append(Conv2d(previous, width, 3, padding=1))
                if batch_norm:
                    layers.append(BatchNorm2d(width))
                layers.append(ReLU())
                previous = width
            layers.append(MaxPool2d(2))
        size = input_size >> len(channels)
        self.flat_features = previous * size * size
        self.features = Sequential(*layers)
        self.classifier = Sequential(Linear(self.flat_features, hidden_features), ReLU(),
                                     Dropout(dropout), Linear(hidden_features, num_classes))

    def forward(self, input):
        shape = tuple(input.shape)
        expected = (self.in_channels, self.input_size, self.input_size)
        if len(shape) != 4 or shape[1:] != expected:
            raise ValueError(f"VGGSmall: expected an input of shape (N, {expected[0]}, "
                             f"{expected[1]}, {expected[2]}), got shape {shape}")
        return self.classifier(self.features(input).flatten(1))


# ---- ResNet ------------------------------------------------------------------------------
class BasicBlock(Module):
    r"""BasicBlock(in_channels, out_channels, stride=1)

    He et al. (2015)'s residual block: the layers learn a residual F(x) that is added to
    the input, y = relu(F(x) + shortcut(x)), with

        F(x) = bn2(conv2(relu(bn1(conv1(x)))))    conv1 3x3 stride `stride`, conv2 3x3
        shortcut(x) = x                           when the shape is unchanged
        shortcut(x) = bn(conv1x1 stride s(x))     otherwise (`downsample`)

    The identity path carries the gradient dL/dy straight to x (dy/dx = I + dF/dx), so
    deep stacks do not suffer vanishing gradients and can at worst learn F = 0.
    Convolutions have no bias (batch norm follows). Names as torchvision's BasicBlock:
    conv1, bn1, conv2, bn2, downsample.0 (conv), downsample.1 (BN).
    Parameters: 9 C_in C_out + 9 C_out^2 + 4 C_out (+ C_in C_out + 2 C_out shortcut).
    """

    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        in_channels = _positive_int("BasicBlock", "in_channels", in_channels)
        out_channels = _positive_int("BasicBlock", "out_channels", out_channels)
        stride = _positive_int("BasicBlock", "stride", stride)
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(out_channels)
        self.relu = ReLU()
        self.conv2 = Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.downsample = Sequential(
                Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                BatchNorm2d(out_channels))
        else:
            self.downsample = None

    def forward(self, x):
        _check_image("BasicBlock", x, self.in_channels)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(Module):
    r"""ResNet(block_counts=(2, 2), channels=(16, 32), num_classes=10, in_channels=1)

    A small residual network for digit images: a stem conv3x3 (stride 1, no bias) + BN +
    ReLU to channels[0] (no initial max pool: the images are already small), then one
    stage `layer{i}` per entry of block_counts with block_counts[i] BasicBlocks of
    channels[i] channels (the first block of every stage after the first has stride 2,
    halving the size, with a 1x1 projection shortcut), global average pooling
    (`avgpool`, any input size works) and `fc` to num_classes.

    Defaults, 1 input channel: 28x28 -> 16x28x28 -> 32x14x14 -> 32 -> 10 (8x8: 16x8x8 ->
    32x4x4); 42,938 parameters (stem 176, layer1 9,344, layer2 33,088, fc 330).
    """

    def __init__(self, block_counts=(2, 2), channels=(16, 32), num_classes=10, in_channels=1):
        super().__init__()
        block_counts = _positive_ints("ResNet", "block_counts", block_counts)
        channels = _positive_ints("ResNet", "channels", channels)
        if len(block_counts) != len(channels):
            raise ValueError(f"ResNet: block_counts {block_counts} and channels {channels} "
                             "must have one entry per stage")
        num_classes = _positive_int("ResNet", "num_classes", num_classes)
        self.in_channels = _positive_int("ResNet", "in_channels", in_channels)
        self.num_stages = len(channels)
        self.conv1 = Conv2d(in_channels, channels[0], 3, padding=1, bias=False)
        self.bn1 = BatchNorm2d(channels[0])
        self.relu = ReLU()
        previous = channels[0]
        for index, (count, width) in enumerate(zip(block_counts, channels)):
            stride = 1 if index == 0 else 2
            blocks = [BasicBlock(previous, width, stride)]
            blocks += [BasicBlock(width, width) for _ in range(count - 1)]
            setattr(self, f"layer{index + 1}", Sequential(*blocks))
            previous = width
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(previous, num_classes)

    def stages(self):
        """The Sequential stages layer1, layer2, ... in order."""
        return [getattr(self, f"layer{i + 1}") for i in range(self.num_stages)]

    def forward(self, x):
        _check_image("ResNet", x, self.in_channels)
        x = self.relu(self.bn1(self.conv1(x)))
        for stage in self.stages():
            x = stage(x)
        return self.fc(self.avgpool(x).flatten(1))


# ---- Inception ---------------------------------------------------------------------------
class InceptionBlock(Module):
    r"""InceptionBlock(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)

    Szegedy et al. (2014, GoogLeNet): four branches look at the same input at different
    scales and their feature maps are stacked along the channel dim,

        branch1: Conv 1x1 -> c1, ReLU
        branch2: Conv 1x1 -> c3_reduce, ReLU, Conv 3x3 (padding 1) -> c3, ReLU
        branch3: Conv 1x1 -> c5_reduce, ReLU, Conv 5x5 (padding 2) -> c5, ReLU
        branch4: MaxPool 3x3 (stride 1, padding 1), Conv 1x1 -> pool_proj, ReLU

    output = cat([branch1, branch2, branch3, branch4], dim=1), with c1 + c3 + c5 +
    pool_proj channels and the input's height and width. The 1x1 "reduce" convolutions
    shrink the channel count before the costly 3x3 and 5x5 filters. Parameters:
    (C+1)c1 + (C+1)c3r + (9 c3r+1)c3 + (C+1)c5r + (25 c5r+1)c5 + (C+1)pool_proj.
    """

    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        sizes = dict(in_channels=in_channels, c1=c1, c3_reduce=c3_reduce, c3=c3,
                     c5_reduce=c5_reduce, c5=c5, pool_proj=pool_proj)
        for name, value in sizes.items():
            _positive_int("InceptionBlock", name, value)
        self.in_channels = in_channels
        self.out_channels = c1 + c3 + c5 + pool_proj
        self.branch1 = Sequential(Conv2d(in_channels, c1, 1), ReLU())
        self.branch2 = Sequential(Conv2d(in_channels, c3_reduce, 1), ReLU(),
                                  Conv2d(c3_reduce, c3, 3, padding=1), ReLU())
        self.branch3 = Sequential(Conv2d(in_channels, c5_reduce, 1), ReLU(),
                                  Conv2d(c5_reduce, c5, 5, padding=2), ReLU())
        self.branch4 = Sequential(MaxPool2d(3, stride=1, padding=1),
                                  Conv2d(in_channels, pool_proj, 1), ReLU())

    def forward(self, x):
        _check_image("InceptionBlock", x, self.in_channels)
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)


class InceptionNet(Module):
    r"""InceptionNet(in_channels=1, num_classes=10)

    A two-block GoogLeNet in miniature: `stem` Conv 3x3 (padding 1) -> 16, ReLU;
    `inception1` = InceptionBlock(16, 8, 8, 16, 4, 8, 8) -> 40 channels; `pool` MaxPool 2;
    `inception2` = InceptionBlock(40, 16, 16, 24, 4, 8, 8) -> 56 channels; global average
    pooling (`avgpool`) and `fc` to num_classes (GoogLeNet's head without the auxiliary
    classifiers). Any input size >= 2 works: 28x28 -> 40x28x28 -> 40x14x14 -> 56x14x14 ->
    56 -> 10; 8x8 -> 40x8x8 -> 56x4x4 -> 56 -> 10. 9,274 parameters for 1 channel and 10
    classes.
    """

    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.in_channels = _positive_int("InceptionNet", "in_channels", in_channels)
        num_classes = _positive_int("InceptionNet", "num_classes", num_classes)
        self.stem = Sequential(Conv2d(in_channels, 16, 3, padding=1), ReLU())
        self.inception1 = InceptionBlock(16, 8, 8, 16, 4, 8, 8)
        self.pool = MaxPool2d(2)
        self.inception2 = InceptionBlock(40, 16, 16, 24, 4, 8, 8)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(56, num_classes)

    def forward(self, x):
        _check_image("InceptionNet", x, self.in_channels)
        x = self.inception2(self.pool(self.inception1(self.stem(x))))
        return self.fc(self.avgpool(x).flatten(1))


# ---- Autoencoder -------------------------------------------------------------------------
class Autoencoder(Module):
    r"""Autoencoder(sizes=(64, 32, 2), activation="relu", output_activation="sigmoid")

    Unsupervised feature learning by reconstruction: `encoder` = MLP(sizes) maps x to a
    code z (linear code units, as in Hinton & Salakhutdinov's 784-1000-500-250-2 net),
    `decoder` = MLP(reversed sizes, output_activation=...) maps z back to x_hat. Train it
    on ||x_hat - x||^2 (MSELoss) or, for inputs in [0, 1] with a sigmoid output, BCELoss.
    With one linear hidden layer and MSE it spans the same subspace as PCA; the
    non-linear layers let it fold the data. `encode(x)`, `decode(z)`, and
    forward(x) = decode(encode(x)). Parameters for the defaults: encoder 64*32+32 +
    32*2+2 = 2,146, decoder 2*32+32 + 32*64+64 = 2,208.
    """

    def __init__(self, sizes=(64, 32, 2), activation="relu", output_activation="sigmoid"):
        super().__init__()
        sizes = _positive_ints("Autoencoder", "sizes", sizes, at_least=2)
        self.sizes = sizes
        self.encoder = MLP(sizes, activation)
        self.decoder = MLP(sizes[::-1], activation, output_activation=output_activation)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


__all__ = ["MLP", "LeNet5", "VGGSmall", "BasicBlock", "ResNet", "InceptionBlock",
           "InceptionNet", "Autoencoder", "activation_layer", "initialise_linear"]
