"""examples.regularization --quick: the wide MLP overfits 100 noisy digits, remedies
narrow the gap, and MC dropout is less sure where the net is wrong."""
import pytest

pytest.importorskip("sklearn")

from examples import regularization  # noqa: E402


def test_quick_run_overfits_and_regularisers_narrow_the_gap(tmp_path):
    result = regularization.main(["--quick", "--out", str(tmp_path)])
    summaries = result["summaries"]
    assert list(summaries) == regularization.RUNS
    baseline = summaries["baseline"]
    # it overfits: clearly better on its own (partly mislabelled) digits than on new ones
    assert baseline["train_accuracy"] - baseline["val_accuracy"] > 0.15
    assert baseline["val_loss"] > 2 * baseline["train_loss"]
    assert result["memorised_wrong_labels"] > 0.3
    remedies = {run: s["gap"] for run, s in summaries.items() if run != "baseline"}
    assert min(remedies.values()) < baseline["gap"] - 0.1
    # input noise narrows the gap and generalises better than the baseline
    assert remedies["input noise"] < baseline["gap"] / 2
    assert summaries["input noise"]["val_accuracy"] > baseline["val_accuracy"]
    assert summaries["early stopping"]["epochs"] < summaries["baseline"]["epochs"]

    spread = result["mc_dropout_spread"]
    assert spread["misclassified"] > spread["correct"]
    for name in ("curves.png", "gap.png", "mc_dropout.png", "uncertain_digits.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_penalised_loss_applies_only_in_training_mode():
    import numpy as np
    from autograd import Tensor
    from nn.architectures import MLP
    from nn.regularization import l2_penalty

    model = MLP([4, 3, 2])
    loss = regularization.PenalisedLoss(model, l2_penalty, 0.5)
    outputs, targets = Tensor(np.zeros((2, 2), dtype=np.float32)), Tensor(np.array([0, 1]))
    weights = sum(float((layer.weight.data ** 2).sum()) for layer in model.linear_layers())
    model.train()
    assert loss(outputs, targets).item() == pytest.approx(np.log(2) + 0.5 * weights, rel=1e-5)
    model.eval()
    assert loss(outputs, targets).item() == pytest.approx(np.log(2), rel=1e-5)
