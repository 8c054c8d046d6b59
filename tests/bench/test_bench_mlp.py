"""The MLP benchmark measures like for like: chainrule and the numpy floor train the
same network to the same losses, and the report has a row per batch size."""
import numpy as np

from bench import bench_mlp


def test_chainrule_and_the_numpy_floor_compute_the_same_training_steps():
    weights = bench_mlp.init_weights()
    x, y = bench_mlp.make_batch(8)
    floor, chainrule = bench_mlp.NumpyFloor(weights), bench_mlp.Chainrule(weights)
    for _ in range(3):
        assert np.isclose(floor.step(x, y), chainrule.step(x, y), rtol=1e-5)
    for a, b in zip(floor.params, chainrule.params):
        np.testing.assert_allclose(a, b.data, rtol=1e-4, atol=1e-6)


def test_the_report_has_one_row_per_batch_size(capsys):
    bench_mlp.main(["--repeats", "1", "--batches", "4", "16"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert [row[0] for row in rows] == ["4", "16"]
    for row in rows:
        floor, chainrule, ratio = map(float, row[1:4])
        assert floor > 0 and chainrule > 0
        assert np.isclose(ratio, chainrule / floor, rtol=0.05, atol=0.01)
