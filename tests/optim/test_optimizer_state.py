"""The `Optimizer` machinery: parameter groups, zero_grad, closures, skipped parameters,
Value parameters, state_dict round trips (bit for bit) and the error messages."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, no_grad
from autograd.value_losses import squared_error
from nn.value import MLP
from optim import SGD, SVRG, Adadelta, Adagrad, Adam, AdamW, NewtonCG, RMSprop

ALL = [
    (SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    (Adadelta, dict(lr=1.0, rho=0.8, weight_decay=0.01)),
    (RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    (AdamW, dict(lr=0.05)),
]
IDS = [cls.__name__ for cls, _ in ALL]


def make_problem(seed=0, dtype=np.float64):
    """A small regression: weights (3, 2) and bias (2,), loss is a mean squared error."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    params = [Tensor(rng.normal(size=(3, 2)).astype(dtype), requires_grad=True),
              Tensor(rng.normal(size=2).astype(dtype), requires_grad=True)]

    def loss_fn(ps):
        diff = Tensor(x.astype(dtype)) @ ps[0] + ps[1] - Tensor(y.astype(dtype))
        return (diff * diff).mean()

    return params, loss_fn


def train(opt, params, loss_fn, steps):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(params)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


# ---- resuming from a state dict is bit-for-bit identical -------------------------------

@pytest.mark.parametrize("cls,options", ALL, ids=IDS)
def test_state_dict_round_trip_resumes_exactly(cls, options):
    params, loss_fn = make_problem()
    opt = cls(params, **options)
    train(opt, params, loss_fn, 5)
    saved_weights = [p.data.copy() for p in params]
    saved = opt.state_dict()
    train(opt, params, loss_fn, 5)                           # uninterrupted

    resumed = [Tensor(w.copy(), requires_grad=True) for w in saved_weights]
    fresh = cls(resumed, **{k: 123.0 if k == "lr" else v for k, v in options.items()})
    fresh.load_state_dict(saved)                             # restores lr too
    train(fresh, resumed, loss_fn, 5)
    for a, b in zip(params, resumed):
        assert np.array_equal(a.data, b.data)
    assert fresh.param_groups[0]["lr"] == options["lr"]


@pytest.mark.parametrize("cls,options", ALL, ids=IDS)
def test_state_dict_holds_copies_and_uses_indices(cls, options):
    params, loss_fn = make_problem()
    opt = cls(params, **options)
    train(opt, params, loss_fn, 2)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1]
    assert set(saved["state"]) == {0, 1}
    before = {k: v.copy() for k, v in saved["state"][0].items() if isinstance(v, np.ndarray)}
    train(opt, params, loss_fn, 2)
    for key, value in before.items():
        assert np.array_equal(saved["state"][0][key], value)   # training on changed nothing


def test_state_dict_layout_matches_pytorch_names():
    params, loss_fn = make_problem()
    opt = Adam(params, lr=0.1, amsgrad=True)
    train(opt, params, loss_fn, 1)
    saved = opt.state_dict()
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert saved["state"][0]["step"] == 1
    assert saved["state"][0]["exp_avg"].shape == (3, 2)
    group = saved["param_groups"][0]
    assert {"lr", "betas", "eps", "weight_decay", "amsgrad", "params"} <= set(group)


def test_load_state_dict_rejects_wrong_group_count_and_changes_nothing():
    params, loss_fn = make_problem()
    opt = SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, loss_fn, 1)
    other = SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.5, momentum=0.9)
    before = other.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(opt.state_dict())
    assert other.param_groups[0]["lr"] == 0.5 and other.state_dict()["state"] == before["state"]


def test_load_state_dict_rejects_wrong_group_size():
    params, loss_fn = make_problem()
    opt = SGD(params, lr=0.1)
    small = SGD([params[0]], lr=0.5)
    with pytest.raises(ValueError, match="doesn't match the size"):
        small.load_state_dict(opt.state_dict())
    assert small.param_groups[0]["lr"] == 0.5


def test_load_state_dict_rejects_wrong_shapes_before_changing_anything():
    params, loss_fn = make_problem()
    opt = Adam(params, lr=0.1)
    train(opt, params, loss_fn, 1)
    swapped = [Tensor(np.zeros(2), requires_grad=True),
               Tensor(np.zeros((3, 2)), requires_grad=True)]
    target = Adam(swapped, lr=0.7)
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*whose shape is \(2,\)"):
        target.load_state_dict(opt.state_dict())
    assert target.param_groups[0]["lr"] == 0.7 and len(target.state) == 0


def test_loaded_state_is_cast_to_the_parameter_dtype():
    params, loss_fn = make_problem()
    opt = Adam(params, lr=0.1)
    train(opt, params, loss_fn, 1)
    params32 = [Tensor(p.data.astype(np.float32), requires_grad=True) for p in params]
    opt32 = Adam(params32, lr=0.1)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32


@pytest.mark.parametrize("cls,options", ALL, ids=IDS)
def test_float32_parameters_are_updated_in_place_and_stay_float32(cls, options):
    params, loss_fn = make_problem(dtype=np.float32)
    arrays = [p.data for p in params]
    losses = train(cls(params, **options), params, loss_fn, 3)
    opt_state = cls(params, **options)
    train(opt_state, params, loss_fn, 1)
    for p, array in zip(params, arrays):
        assert p.data is array and p.data.dtype == np.float32
    for value in opt_state.state[params[0]].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
    assert losses[-1] != losses[0]


# ---- parameter groups --------------------------------------------------------------------

def test_param_groups_have_their_own_lr():
    a = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    b = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = Tensor(np.array([1.0, 2.0])), Tensor(np.array([2.0]))
    opt.step()
    np.testing.assert_array_equal(a.data, [0.9, 0.8])    # 1 - 0.1 * (1, 2)
    np.testing.assert_array_equal(b.data, [0.0])         # 1 - 0.5 * 2
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0


def test_add_param_group_takes_defaults_and_rejects_overlap():
    a = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    opt = Adam([a], lr=0.01, betas=(0.8, 0.9))
    opt.add_param_group({"params": b, "lr": 0.1})
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["betas"] == (0.8, 0.9) and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        opt.add_param_group({"params": [Tensor(np.zeros(1), requires_grad=True)], "lr": -1})


def test_parameters_without_gradient_are_skipped():
    used = Tensor(np.array([1.0]), requires_grad=True)
    unused = Tensor(np.array([1.0]), requires_grad=True)
    opt = Adam([used, unused], lr=0.1, weight_decay=0.5)
    (used * 2.0).sum().backward()
    opt.step()
    assert unused.data[0] == 1.0 and unused not in opt.state
    assert used.data[0] != 1.0 and opt.state[used]["step"] == 1


# ---- zero_grad and closures ----------------------------------------------------------------

def test_zero_grad_to_none_or_to_zeros():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = SGD([w], lr=0.1)
    (w * w).sum().backward()
    array = w.grad.data
    opt.zero_grad(set_to_none=False)
    assert w.grad.data is array and not array.any()
    opt.zero_grad()
    assert w.grad is None


def test_zero_grad_on_values_sets_zero():
    v = Value(2.0)
    opt = SGD([v], lr=0.1)
    (v * v).backward()
    assert v.grad == 4.0
    opt.zero_grad()
    assert v.grad == 0.0


def test_step_runs_closure_with_grad_enabled_and_returns_its_loss():
    w = Tensor(np.array([3.0]), requires_grad=True)
    opt = SGD([w], lr=0.25)
    calls = []

    def closure():
        calls.append(autograd.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 9.0
    assert w.data[0] == 3.0 - 0.25 * 6.0
    assert opt.step() is None


# ---- Value parameters ----------------------------------------------------------------------

def value_mlp_loss(model, data):
    return Value.sum([squared_error(model(x), y) for x, y in data]) * (1.0 / len(data))


@pytest.mark.parametrize("cls,options", [(SGD, dict(lr=0.05, momentum=0.9)),
                                         (Adam, dict(lr=0.02))], ids=["SGD", "Adam"])
def test_value_mlp_trains(cls, options):
    autograd.manual_seed(3)
    model = MLP(2, [6, 1], activation="tanh")
    data = [([x1, x2], x1 * x2) for x1 in (-1.0, 0.0, 1.0) for x2 in (-1.0, 1.0)]
    opt = cls(model.parameters(), **options)
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = value_mlp_loss(model, data)
        loss.backward()
        opt.step()
        first = loss.data if first is None else first
    final = value_mlp_loss(model, data).data
    assert final < 0.5 * first
    assert all(isinstance(p.data, float) for p in model.parameters())


def test_value_state_is_zero_d_float64_and_matches_tensor_update():
    value = Value(1.5)
    tensor = Tensor(np.array(1.5), requires_grad=True)
    opt_v, opt_t = Adam([value], lr=0.1), Adam([tensor], lr=0.1)
    for _ in range(3):
        opt_v.zero_grad(), opt_t.zero_grad()
        (value * value * 3.0).backward()
        (tensor * tensor * 3.0).backward()
        opt_v.step(), opt_t.step()
    state = opt_v.state[value]
    assert state["exp_avg"].shape == () and state["exp_avg"].dtype == np.float64
    assert value.data == tensor.data.item()


def test_value_state_dict_round_trip():
    a, b = Value(1.0), Value(-2.0)
    opt = RMSprop([a, b], lr=0.05, momentum=0.5)

    def run(opt, a, b, steps):
        for _ in range(steps):
            opt.zero_grad()
            (a * a + 3.0 * b * b + a * b).backward()
            opt.step()

    run(opt, a, b, 3)
    saved, weights = opt.state_dict(), (a.data, b.data)
    run(opt, a, b, 3)
    c, d = Value(weights[0]), Value(weights[1])
    fresh = RMSprop([c, d], lr=0.05, momentum=0.5)
    fresh.load_state_dict(saved)
    run(fresh, c, d, 3)
    assert (c.data, d.data) == (a.data, b.data)


# ---- errors --------------------------------------------------------------------------------

def w():
    return [Tensor(np.zeros(2), requires_grad=True)]


@pytest.mark.parametrize("make,message", [
    (lambda: SGD(w(), lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda: Adam(w(), lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda: SGD(w(), momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda: SGD(w(), weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda: Adam(w(), weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda: Adam(w(), eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda: Adagrad(w(), eps=-1.0), "Invalid epsilon value"),
    (lambda: Adagrad(w(), lr_decay=-1.0), "Invalid lr_decay value"),
    (lambda: Adagrad(w(), initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value"),
    (lambda: Adadelta(w(), rho=1.5), "Invalid rho value: 1.5"),
    (lambda: RMSprop(w(), alpha=-0.1), "Invalid alpha value"),
    (lambda: RMSprop(w(), momentum=-0.1), "Invalid momentum value"),
    (lambda: Adam(w(), betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda: Adam(w(), betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda: AdamW(w(), betas=(0.9, 1.0)), "Invalid beta parameter at index 1"),
    (lambda: SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (lambda: SGD(w(), lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda: SGD(w(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "zero dampening"),
    (lambda: SVRG(w()), "required optimization parameter lr"),
    (lambda: NewtonCG(w(), damping=-1.0), "Invalid damping value"),
])
def test_invalid_options_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_group_options_are_checked_too():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        SGD([{"params": w(), "lr": -0.5}], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        SGD([{"params": w(), "momentum": 0.0}], lr=0.1, momentum=0.9, nesterov=True)


def test_parameter_in_two_groups_or_twice_in_one():
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        SGD([{"params": [p]}, {"params": [p], "lr": 0.5}], lr=0.1)
    with pytest.raises(ValueError, match="more than once in one parameter group"):
        SGD([p, p], lr=0.1)


def test_wrong_parameter_types():
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors or Values.*ndarray"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf Tensor"):
        SGD([p * 2.0], lr=0.1)


def test_repr_lists_the_groups():
    text = repr(SGD(w(), lr=0.1, momentum=0.9))
    assert "SGD (" in text and "lr: 0.1" in text and "momentum: 0.9" in text
