"""examples.activations_and_init in quick mode: the sigmoid's slope peaks at 1/4, the
notes' good pairings (Xavier + tanh, He + ReLU) are healthy, small weights + sigmoid
vanish, large weights explode with ReLU and saturate tanh, and symmetric units stay
identical through training."""
import pytest

from examples import activations_and_init


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("activations_and_init")
    return activations_and_init.main(["--quick", "--out", str(out)]), out


def test_the_engine_finds_the_sigmoid_slope_peak_of_one_quarter(result):
    figures, _ = result
    assert figures["sigmoid_max_slope"] == pytest.approx(0.25, abs=1e-9)
    assert figures["max_slopes"]["tanh"] == pytest.approx(1.0, abs=1e-9)
    assert figures["max_formula_error"] < 1e-12


def test_good_initialisations_are_healthy(result):
    verdicts = result[0]["verdicts"]
    assert verdicts["xavier_uniform/tanh"] == "healthy"
    assert verdicts["kaiming_uniform/relu"] == "healthy"
    for key in ("xavier_uniform/tanh", "kaiming_uniform/relu"):
        scan = result[0]["scan"][tuple(key.split("/"))]
        assert 0.1 < scan["grad_ratio"] < 10 and 0.1 < scan["std_ratio"] < 10


def test_bad_initialisations_vanish_explode_or_saturate(result):
    verdicts, scan = result[0]["verdicts"], result[0]["scan"]
    assert "vanishing" in verdicts["small/sigmoid"]
    assert scan[("small", "sigmoid")]["grad_ratio"] < 1e-3
    assert "exploding" in verdicts["large/relu"]
    assert scan[("large", "relu")]["std_ratio"] > 100
    assert "saturated" in verdicts["large/tanh"]


def test_symmetric_units_never_differentiate(result):
    symmetry = result[0]["symmetry"]
    for key in ("zeros/tanh", "zeros/sigmoid", "constant/tanh", "constant/sigmoid"):
        assert symmetry[key]["spread_before"] == 0
        assert symmetry[key]["spread_after"] < 1e-6
    assert symmetry["constant/tanh"]["first_layer_moved"] > 1e-3  # it did train
    assert symmetry["xavier_uniform/tanh"]["spread_after"] > 0.1


def test_pictures_are_written(result):
    figures, out = result
    names = ["activation_functions.png", "init_scan.png", "activation_histograms.png",
             "symmetry.png"]
    for name in names:
        path = out / name
        assert path.exists() and path.stat().st_size > 1000, name
    assert len(figures["figures"]) == len(names)
