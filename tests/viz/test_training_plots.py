"""Training pictures: history curves, decision boundaries, optimizer paths, image grids,
conv filters, reconstructions and the confusion matrix; each writes a non-empty image."""
import numpy as np
import pytest
from matplotlib.figure import Figure

import viz
from autograd import Tensor

PNG = b"\x89PNG"


def assert_image(path):
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 2000


def test_history_splits_losses_and_metrics_and_uses_log_scale_when_wide(tmp_path):
    history = {"loss": [2.0, 0.5, 0.1, 0.05], "val_loss": [2.1, 0.7, 0.3, 0.25],
               "accuracy": [0.3, 0.7, 0.9, 0.95]}
    figure = viz.plot_history(history, path=tmp_path / "history.png")
    assert_image(tmp_path / "history.png")
    loss_axes, metric_axes = figure.axes
    assert loss_axes.get_yscale() == "log"
    assert loss_axes.get_legend_handles_labels()[1] == ["loss", "val_loss"]
    assert metric_axes.get_legend_handles_labels()[1] == ["accuracy"]
    train, validation = loss_axes.get_lines()
    assert train.get_color() == validation.get_color()
    assert validation.get_linestyle() == "--"
    assert list(train.get_xdata()) == [1, 2, 3, 4]
    narrow = viz.plot_history({"loss": [1.0, 0.9, 0.8]})
    assert len(narrow.axes) == 1 and narrow.axes[0].get_yscale() == "linear"
    with pytest.raises(KeyError, match="val_acc"):
        viz.plot_history(history, keys=["val_acc"])


def blobs(classes, rng):
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])[:classes]
    x = np.concatenate([c + 0.5 * rng.normal(size=(30, 2)) for c in centres])
    return x.astype(np.float32), np.repeat(np.arange(classes), 30), centres


def nearest_centre_logits(centres):
    return lambda t: Tensor(-((t.data[:, None, :] - centres[None]) ** 2).sum(-1)
                            .astype(np.float32))


@pytest.mark.parametrize("kind", ["logit", "probability", "two_columns", "three_classes"])
def test_decision_boundary_for_each_kind_of_output(tmp_path, kind):
    rng = np.random.default_rng(0)
    classes = 3 if kind == "three_classes" else 2
    x, y, centres = blobs(classes, rng)
    two = nearest_centre_logits(centres)
    models = {
        "logit": lambda t: Tensor((two(t).data[:, 1] - two(t).data[:, 0])[:, None]),
        "probability": lambda t: Tensor(1 / (1 + np.exp(two(t).data[:, 0] - two(t).data[:, 1]))),
        "two_columns": two,
        "three_classes": two,
    }
    figure = viz.plot_decision_boundary(models[kind], x, y, path=tmp_path / "boundary.png",
                                        resolution=60)
    assert_image(tmp_path / "boundary.png")
    axes = figure.axes[0]
    assert len(axes.get_legend_handles_labels()[1]) == classes
    if classes == 2:
        assert figure.axes[1].get_ylabel() == "P(class 1)"


def test_decision_boundary_rejects_points_that_are_not_2d():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        viz.plot_decision_boundary(lambda t: t, np.zeros((5, 3)))


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def descent(lr, steps=200, start=(-1.2, 1.0)):
    point, path = np.array(start), [np.array(start)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, y = point
            point = point - lr * np.array([-2 * (1 - x) - 400 * x * (y - x ** 2),
                                           200 * (y - x ** 2)])
            path.append(point)
    return np.array(path)


def test_optimizer_paths_on_a_log_scaled_surface(tmp_path):
    figure = viz.plot_optimizer_paths(rosenbrock, {"lr 1e-3": descent(1e-3),
                                                   "lr 1e-2": descent(1e-2)},
                                      minimum=(1, 1), xlim=(-2, 2), ylim=(-1, 3),
                                      path=tmp_path / "paths.png", resolution=80)
    assert_image(tmp_path / "paths.png")
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["lr 1e-3", "lr 1e-2 (diverged)", "minimum"]
    assert "log scale" in figure.axes[1].get_ylabel()


def test_optimizer_paths_from_a_list_with_labels_on_a_linear_surface(tmp_path):
    bowl = lambda x, y: x ** 2 + 10 * y ** 2 + 1
    path = [(2.0 * 0.8 ** k, (-1) ** k * 0.8 ** k) for k in range(20)]
    figure = viz.plot_optimizer_paths(bowl, [path], labels=["zigzag"], resolution=60,
                                      path=tmp_path / "bowl.png")
    assert_image(tmp_path / "bowl.png")
    assert figure.axes[1].get_ylabel() == "f(x, y)"
    with pytest.raises(ValueError, match="labels"):
        viz.plot_optimizer_paths(bowl, [path], labels=["a", "b"])
    with pytest.raises(ValueError, match=r"\(k, 2\)"):
        viz.plot_optimizer_paths(bowl, [np.zeros((3, 3))])


@pytest.mark.parametrize("shape", [(6, 8, 8), (6, 64), (6, 1, 8, 8), (6, 3, 8, 8),
                                   (6, 8, 8, 3)])
def test_image_grid_accepts_the_usual_layouts(tmp_path, shape):
    images = np.random.default_rng(0).random(shape)
    figure = viz.plot_image_grid(Tensor(images.astype(np.float32)),
                                 titles=[str(k) for k in range(6)], path=tmp_path / "grid.png")
    assert_image(tmp_path / "grid.png")
    shown = [axes for axes in figure.axes if axes.get_images()]
    assert len(shown) == 6 and shown[2].get_title() == "2"


def test_image_grid_normalisation_modes():
    images = np.stack([np.zeros((4, 4)), np.full((4, 4), 10.0)])
    images[0, 0, 0], images[1, 0, 0] = 1.0, 20.0

    def tiles(figure):  # the grid is one tiled image with 1-pixel gaps
        drawn = figure.axes[0].get_images()[0]
        canvas = np.ma.getdata(drawn.get_array())
        return drawn.get_clim(), canvas[:, 0:4], canvas[:, 5:9]

    clim, first, second = tiles(viz.plot_image_grid(images, normalize="each"))
    assert clim == (0.0, 1.0)  # every image scaled to its own range
    assert (first.min(), first.max(), second.min(), second.max()) == (0.0, 1.0, 0.0, 1.0)
    clim, first, second = tiles(viz.plot_image_grid(images, normalize="all", colorbar=True))
    assert clim == (0.0, 20.0) and second.max() == 20.0 and first.max() == 1.0
    clim, _, _ = tiles(viz.plot_image_grid(images - 5, normalize="all", symmetric=True))
    assert clim == (-15.0, 15.0)
    with pytest.raises(ValueError, match="image_shape"):
        viz.plot_image_grid(np.zeros((2, 10)))


def test_conv_filters_and_reconstructions(tmp_path):
    rng = np.random.default_rng(0)
    grey = viz.plot_conv_filters(rng.normal(size=(8, 2, 3, 3)), path=tmp_path / "f.png")
    assert_image(tmp_path / "f.png")
    low, high = grey.axes[0].get_images()[0].get_clim()
    assert low == -high  # centred on zero
    viz.plot_conv_filters(rng.normal(size=(4, 3, 5, 5)), path=tmp_path / "rgb.png")
    assert_image(tmp_path / "rgb.png")
    with pytest.raises(ValueError, match="out_channels"):
        viz.plot_conv_filters(np.zeros((3, 3, 3)))
    originals = rng.random((5, 64))
    figure = viz.plot_reconstructions(originals, originals * 0.9, path=tmp_path / "r.png")
    assert_image(tmp_path / "r.png")
    titled = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titled == ["original", "reconstruction"]


def test_confusion_matrix_counts_by_hand():
    counts = viz.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert viz.confusion_matrix([0], [0], num_classes=3).shape == (3, 3)
    with pytest.raises(ValueError, match="num_classes"):
        viz.confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="predictions"):
        viz.confusion_matrix([0, 1], [0])


def test_confusion_matrix_plot(tmp_path):
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    figure = viz.plot_confusion_matrix(y_true, y_pred, class_names=["cat", "dog", "emu"],
                                       normalize=True, path=tmp_path / "cm.png")
    assert_image(tmp_path / "cm.png")
    axes = figure.axes[0]
    assert "accuracy 66.7%" in axes.get_title()
    texts = [t.get_text() for t in axes.texts]
    assert texts[:3] == ["0.50", "0.50", "0.00"] and texts[-1] == "0.67"
    counts = viz.plot_confusion_matrix(matrix=[[5, 1], [2, 7]])
    assert [t.get_text() for t in counts.axes[0].texts] == ["5", "1", "2", "7"]
    with pytest.raises(ValueError, match="y_true"):
        viz.plot_confusion_matrix()


def test_figures_display_in_jupyter_without_pyplot():
    figure = viz.plot_history({"loss": [1.0, 0.5]})
    assert isinstance(figure, Figure)
    assert figure._repr_png_().startswith(PNG)
