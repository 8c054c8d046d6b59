"""The Module system (nn/module.py, containers, serialization, summary, hooks) against
PyTorch: traversal order and deduplication, train/eval, zero_grad, state_dict keys and
order, load_state_dict (strict errors, nothing changed on failure), buffers, forward and
backward hooks, printed reprs, summary rows, and nn.save / nn.load."""
import copy
import zipfile

import numpy as np
import pytest

import autograd
from autograd import Tensor
from nn.activation import ReLU, Tanh
from nn.containers import Flatten, Identity, ModuleDict, ModuleList, Sequential
from nn.dropout import Dropout
from nn.linear import Linear
from nn.module import Module
from nn.normalization import BatchNorm1d
from nn.parameter import Parameter
from nn.serialization import load, save


def to_float64(module):
    for p in module.parameters():
        p.data = p.data.astype(np.float64)
    for b in module.buffers():
        if np.issubdtype(b.dtype, np.floating):
            b.data = b.data.astype(np.float64)
    return module


def torch_state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


class Library:
    """The layer classes of one library, so one builder makes equivalent nets in both."""

    def __init__(self, torch=None):
        if torch is None:
            self.Module, self.Linear, self.BatchNorm1d = Module, Linear, BatchNorm1d
            self.ReLU, self.Tanh, self.Dropout, self.Flatten = ReLU, Tanh, Dropout, Flatten
            self.Sequential, self.ModuleList, self.ModuleDict = Sequential, ModuleList, ModuleDict
            self.Identity = Identity
        else:
            for name in ("Module", "Linear", "BatchNorm1d", "ReLU", "Tanh", "Dropout", "Flatten",
                         "Sequential", "ModuleList", "ModuleDict", "Identity"):
                setattr(self, name, getattr(torch.nn, name))


def build_net(lib, repeated_blocks=False, shared=True):
    class Block(lib.Module):
        def __init__(self, width):
            super().__init__()
            self.fc = lib.Linear(4, width)
            self.bn = lib.BatchNorm1d(width)
            self.act = lib.ReLU()

        def forward(self, x):
            return self.act(self.bn(self.fc(x)))

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.stem = lib.Sequential(lib.Flatten(), lib.Linear(3, 4), lib.Tanh())
            self.blocks = lib.ModuleList([Block(4), Block(4 if repeated_blocks else 5)])
            self.heads = lib.ModuleDict({"a": lib.Linear(4, 2), "b": lib.Linear(4, 1, bias=False)})
            self.drop = lib.Dropout(0.1)
            self.skip = lib.Identity()
            if shared:
                self.again = self.stem  # the same module under two names

        def forward(self, x):
            x = self.stem(x)
            x = self.blocks[0](x)
            return self.heads["a"](self.drop(self.skip(x)))

    return Net()


# ---- traversal -----------------------------------------------------------------------------
def test_traversal_orders_and_deduplication_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = build_net(Library()), build_net(Library(torch))
    for method in ("named_parameters", "named_modules", "named_children", "named_buffers"):
        assert [n for n, _ in getattr(ours, method)()] == [n for n, _ in getattr(theirs, method)()]
    assert len(list(ours.modules())) == len(list(theirs.modules()))  # `again` counted once
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    assert [n for n, _ in ours.blocks[0].named_parameters(prefix="b")] == [
        n for n, _ in theirs.blocks[0].named_parameters(prefix="b")]


def test_state_dict_keys_and_order_match_torch_including_shared_modules():
    torch = pytest.importorskip("torch")
    ours, theirs = build_net(Library()), build_net(Library(torch))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "again.1.weight" in ours.state_dict()  # shared: listed under every path


def test_tied_parameter_is_one_parameter_but_two_state_dict_entries_in_place():
    torch = pytest.importorskip("torch")

    def tied(lib):
        class Tied(lib.Module):
            def __init__(self):
                super().__init__()
                self.encoder = lib.Linear(3, 3)
                self.decoder = lib.Linear(3, 3)
                self.decoder.weight = self.encoder.weight
        return Tied()

    ours, theirs = tied(Library()), tied(Library(torch))
    assert list(ours.state_dict()) == list(theirs.state_dict())  # decoder.weight keeps its place
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours.state_dict()["decoder.weight"].data is ours.encoder.weight.data


def test_repr_of_a_nested_model_equals_torch():
    torch = pytest.importorskip("torch")
    assert repr(build_net(Library())) == repr(build_net(Library(torch)))
    assert repr(ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"


def test_repr_of_repeated_module_list_entries_equals_torch():
    torch = pytest.importorskip("torch")
    assert repr(build_net(Library(), repeated_blocks=True)) == \
        repr(build_net(Library(torch), repeated_blocks=True))


# ---- modes and gradients -------------------------------------------------------------------
def test_train_and_eval_reach_every_module_and_return_self():
    net = build_net(Library())
    assert net.eval() is net
    assert all(m.training is False for m in net.modules())
    assert net.train() is net
    assert all(m.training is True for m in net.modules())
    net.blocks.eval()
    assert net.training and not net.blocks[1].bn.training and net.stem.training


def test_zero_grad_to_none_or_to_zeros_in_place():
    net = Sequential(Linear(2, 3), Linear(3, 1))
    net(Tensor(np.ones((4, 2), dtype=np.float32))).sum().backward()
    grad = net[0].weight.grad
    net.zero_grad(set_to_none=False)
    assert net[0].weight.grad is grad and np.all(grad.data == 0)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.zero_grad(set_to_none=False)  # nothing to zero: stays None
    assert all(p.grad is None for p in net.parameters())


# ---- load_state_dict -----------------------------------------------------------------------
def test_torch_state_dict_loads_and_gives_the_same_outputs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = build_net(Library(torch)).double()
    theirs(torch.randn(6, 3, dtype=torch.float64))  # move the running statistics
    theirs.eval()
    ours = to_float64(build_net(Library()))
    result = ours.load_state_dict(torch_state(theirs))
    assert result.missing_keys == [] and result.unexpected_keys == []
    ours.eval()
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)


def snapshot(module):
    return {k: v.data.copy() for k, v in module.state_dict().items()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])
        assert after[key].dtype == before[key].dtype


def test_strict_load_lists_every_problem_and_changes_nothing():
    net = Sequential(Linear(3, 4), BatchNorm1d(4), Linear(4, 2))
    before = snapshot(net)
    state = {k: v + 1 for k, v in before.items()}
    del state["0.bias"]
    state["extra.weight"] = np.zeros(2)
    state["2.weight"] = np.zeros((3, 3))
    with pytest.raises(RuntimeError) as error:
        net.load_state_dict(state)
    message = str(error.value)
    assert "missing keys: 0.bias" in message and "unexpected keys: extra.weight" in message
    assert "size mismatch for 2.weight: the checkpoint has shape (3, 3), the module has shape " \
           "(2, 4)" in message and "Nothing was loaded" in message
    assert_unchanged(net, before)


def test_non_numeric_values_are_a_problem_found_before_loading():
    net = Sequential(Linear(2, 2), BatchNorm1d(2))
    before = snapshot(net)
    state = {k: v + 1 for k, v in before.items()}
    state["1.num_batches_tracked"] = np.array("seven")
    with pytest.raises(RuntimeError, match="1.num_batches_tracked holds <U5 values"):
        net.load_state_dict(state)
    assert_unchanged(net, before)


def test_non_strict_load_reports_keys_loads_the_rest_but_shapes_still_raise():
    net = Sequential(Linear(3, 4), Linear(4, 2))
    state = {"0.weight": np.full((4, 3), 2.0, np.float32), "surplus": np.zeros(1)}
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"]
    assert result.unexpected_keys == ["surplus"]
    np.testing.assert_array_equal(net[0].weight.data, 2.0)
    before = snapshot(net)
    with pytest.raises(RuntimeError, match="size mismatch for 1.bias"):
        net.load_state_dict({"0.bias": np.zeros(4), "1.bias": np.zeros(5)}, strict=False)
    assert_unchanged(net, before)


def test_loading_keeps_dtypes_and_memory_and_state_dict_shares_memory():
    net = Sequential(Linear(2, 2), BatchNorm1d(2))
    weight = net[0].weight.data
    net.load_state_dict({k: v.astype(np.float64) for k, v in snapshot(net).items()})
    assert net[0].weight.data is weight and weight.dtype == np.float32
    assert net[1].num_batches_tracked.dtype == np.int64
    net.state_dict()["0.weight"].data[0, 0] = 42.0
    assert net[0].weight.data[0, 0] == 42.0
    assert not net.state_dict()["0.weight"].requires_grad


# ---- parameters and buffers ----------------------------------------------------------------
class WithBuffers(Module):
    def __init__(self):
        super().__init__()
        self.weight = Parameter(np.ones(2, dtype=np.float32))
        self.register_buffer("kept", Tensor(np.zeros(2)))
        self.register_buffer("scratch", Tensor(np.ones(2)), persistent=False)
        self.register_buffer("empty", None)


def test_buffers_persistent_and_not():
    torch = pytest.importorskip("torch")

    class TorchWithBuffers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.ones(2))
            self.register_buffer("kept", torch.zeros(2))
            self.register_buffer("scratch", torch.ones(2), persistent=False)
            self.register_buffer("empty", None)

    ours, theirs = WithBuffers(), TorchWithBuffers()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "kept"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_parameters()] == ["weight"]
    ours.kept = Tensor(np.full(2, 3.0))  # assigning a Tensor replaces the buffer
    assert ours.state_dict()["kept"].data.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="cannot assign ndarray to buffer 'kept'"):
        ours.kept = np.zeros(2)
    ours.register_buffer("scratch", Tensor(np.ones(2)), persistent=True)  # now persistent
    assert list(ours.state_dict()) == ["weight", "kept", "scratch"]


def test_register_buffer_refuses_names_already_in_use():
    net = WithBuffers()
    net.plain = 5
    for name in ("weight", "plain", "forward"):
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            net.register_buffer(name, Tensor(np.zeros(1)))
    with pytest.raises(TypeError, match="must be a Tensor or None"):
        net.register_buffer("other", np.zeros(1))


def test_parameter_assignment_rules():
    layer = Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor to parameter 'weight'"):
        layer.weight = Tensor(np.zeros((2, 2)))
    layer.bias = None
    assert list(layer.state_dict()) == ["weight"] and layer.bias is None
    layer.bias = Parameter(np.zeros(2, dtype=np.float32))
    assert list(layer.state_dict()) == ["weight", "bias"]
    with pytest.raises(AttributeError, match="call super\\(\\).__init__\\(\\)"):
        class Forgetful(Module):
            def __init__(self):
                self.x = 1
        Forgetful()


def test_deepcopy_gives_an_independent_module():
    net = Sequential(Linear(2, 2), BatchNorm1d(2))
    twin = copy.deepcopy(net)
    assert twin[0].weight is not net[0].weight and isinstance(twin[0].weight, Parameter)
    twin[0].weight.data[...] = 0
    assert not np.all(net[0].weight.data == 0)
    assert list(twin.state_dict()) == list(net.state_dict())


# ---- hooks ---------------------------------------------------------------------------------
def test_forward_pre_hooks_and_hooks_run_in_order_replace_and_remove():
    layer = Linear(2, 2, dtype=np.float64)
    calls = []

    def double_input(module, args):
        calls.append("pre")
        return (args[0] * 2,)

    def record(module, args, output):
        calls.append(("hook", args[0].data.tolist()))

    def replace_output(module, args, output):
        return output * 0 + 7

    x = Tensor(np.ones((1, 2)))
    handles = [layer.register_forward_pre_hook(double_input),
               layer.register_forward_hook(record), layer.register_forward_hook(replace_output)]
    assert layer(x).data.tolist() == [[7.0, 7.0]]
    assert calls == ["pre", ("hook", [[2.0, 2.0]])]  # hooks see the replaced input
    for handle in handles:
        handle.remove()
    np.testing.assert_allclose(layer(x).data, x.data @ layer.weight.data.T + layer.bias.data)
    with layer.register_forward_hook(replace_output):
        assert layer(x).data.tolist() == [[7.0, 7.0]]
    assert layer(x).data.tolist() != [[7.0, 7.0]]


def _arrays(grads):
    return [None if g is None else np.array(g.data if isinstance(g, Tensor) else g.numpy())
            for g in grads]


def test_full_backward_hooks_give_torch_grad_input_and_grad_output():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2)).double()
    ours = to_float64(Sequential(Linear(3, 4), Tanh(), Linear(4, 2)))
    ours.load_state_dict(torch_state(theirs))
    records = {"ours": {}, "theirs": {}}
    for key, net in (("ours", ours), ("theirs", theirs)):
        for name, module in net.named_modules():
            def hook(module, grad_input, grad_output, name=name, key=key):
                records[key][name] = (_arrays(grad_input), _arrays(grad_output))
            module.register_full_backward_hook(hook)
    x = np.random.default_rng(0).normal(size=(5, 3))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ours(xo) ** 2).sum().backward()
    (theirs(xt) ** 2).sum().backward()
    assert sorted(records["ours"]) == sorted(records["theirs"]) == ["", "0", "1", "2"]
    for name, (grad_input, grad_output) in records["theirs"].items():
        got_input, got_output = records["ours"][name]
        assert len(got_input) == len(grad_input) and len(got_output) == len(grad_output)
        for a, b in zip(got_input + got_output, grad_input + grad_output):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-12)


def test_backward_hook_of_a_first_layer_gets_none_for_an_input_without_grad():
    layer = Linear(3, 2)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    layer(Tensor(np.ones((2, 3), dtype=np.float32))).sum().backward()
    (grad_input, grad_output), = seen
    assert grad_input == (None,) and grad_output[0].shape == (2, 2)


def test_nested_backward_hooks_get_none_for_an_input_without_grad():
    net = Sequential(Linear(3, 2))
    seen = {}
    for name, module in net.named_modules():
        module.register_full_backward_hook(
            lambda m, gi, go, name=name: seen.__setitem__(name, gi))
    net(Tensor(np.ones((2, 3), dtype=np.float32))).sum().backward()
    assert seen[""] == (None,) and seen["0"] == (None,)


# ---- summary -------------------------------------------------------------------------------
def test_summary_rows_printed_table_and_modes_restored():
    net = Sequential(Flatten(), Linear(6, 4), BatchNorm1d(4), ReLU(), Linear(4, 2))
    lines = []
    rows = net.summary(2, 2, 3, print_fn=lines.append)
    assert rows == [("0", "Flatten", (2, 6), 0), ("1", "Linear", (2, 4), 28),
                    ("2", "BatchNorm1d", (2, 4), 8), ("3", "ReLU", (2, 4), 0),
                    ("4", "Linear", (2, 2), 10)]
    assert lines[-1] == "total parameters: 46 (trainable 46)"
    assert lines[1].split() == ["layer", "type", "output", "shape", "parameters"]
    assert net.training and net[2].num_batches_tracked.item() == 0  # ran in eval, restored
    assert not net[1]._forward_hooks  # its recording hooks are removed


def test_summary_of_a_custom_module_lists_calls_in_order():
    class Twice(Module):
        def __init__(self):
            super().__init__()
            self.a = Linear(3, 3)
            self.b = Sequential(Linear(3, 2), ReLU())

        def forward(self, x):
            return self.b(self.a(self.a(x)))

    net = Twice()
    net.a.weight.requires_grad_(False)
    lines = []
    rows = net.summary(1, 3, print_fn=lines.append)
    assert [r[0] for r in rows] == ["a", "a", "b.0", "b.1"]
    assert lines[-1] == "total parameters: 20 (trainable 11)"


# ---- save / load ---------------------------------------------------------------------------
def test_save_load_round_trip_of_a_nested_checkpoint(tmp_path):
    net = Sequential(Linear(3, 2), BatchNorm1d(2))
    checkpoint = {"model": net.state_dict(), "epoch": 7, "lr": 0.05, "name": "run-1",
                  "best": None, "flags": [True, False], "pair": (1, np.arange(3)),
                  "nested": {"deeper": {"values": [1, 2.5, "x", None]}}, 3: "int key"}
    path = tmp_path / "sub" / "checkpoint.npz"
    save(checkpoint, path)
    back = load(path)
    assert list(back) == list(checkpoint)
    assert back["epoch"] == 7 and isinstance(back["epoch"], int)
    assert back["lr"] == 0.05 and back["name"] == "run-1" and back["best"] is None
    assert back["flags"] == [True, False] and back[3] == "int key"
    assert back["nested"] == {"deeper": {"values": [1, 2.5, "x", None]}}
    assert isinstance(back["pair"], tuple) and back["pair"][1].tolist() == [0, 1, 2]
    assert list(back["model"]) == list(net.state_dict())
    assert back["model"]["1.num_batches_tracked"].dtype == np.int64
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(back["model"][key], value.data)


def test_save_a_module_then_load_into_a_fresh_one(tmp_path):
    autograd.manual_seed(0)
    net = Sequential(Linear(3, 2), BatchNorm1d(2))
    net(Tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)))
    save(net, tmp_path / "net.npz")
    fresh = Sequential(Linear(3, 2), BatchNorm1d(2))
    fresh.load_state_dict(load(tmp_path / "net.npz"))
    assert_unchanged(fresh, snapshot(net))
    assert not (tmp_path / "net.npz.npz").exists()


def test_load_rejects_truncated_foreign_and_non_zip_files(tmp_path):
    good = tmp_path / "good.npz"
    save({"w": np.arange(10.0)}, good)
    data = good.read_bytes()
    cases = {"truncated.npz": data[: len(data) // 2], "text.npz": b"not a checkpoint at all"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    np.savez(tmp_path / "foreign.npz", weights=np.ones(3))
    np.save(tmp_path / "array.npy", np.ones(3))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    for name in ("truncated.npz", "text.npz", "foreign.npz", "array.npy", "other.zip"):
        with pytest.raises(ValueError, match="is not a readable chainrule state file"):
            load(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def test_save_refuses_objects_it_cannot_store(tmp_path):
    with pytest.raises(TypeError, match="cannot store a set"):
        save({"s": {1, 2}}, tmp_path / "x.npz")
