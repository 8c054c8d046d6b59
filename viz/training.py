"""Training pictures: loss curves, decision boundaries, optimizer paths, image grids,
conv filters and confusion matrices.

Each function takes an optional `path` (the image is saved there; the format follows
the extension) and returns the Figure (a `viz.figures.Picture`).
"""
import math

import matplotlib
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import LogFormatterSciNotation, LogLocator

from autograd import Tensor, no_grad
from viz.figures import finish, new_figure


def _array(x):
    return np.asarray(x.data if isinstance(x, Tensor) else x)


# ---- history ----------------------------------------------------------------------------
def _is_loss(key):
    return "loss" in key.lower()


def plot_history(history, path=None, keys=None, log_loss=None, title=None):
    """Curves from a training history, a dict of lists such as {"loss": [...],
    "val_loss": [...], "accuracy": [...], "val_accuracy": [...]}.

    Keys containing "loss" share the left panel, the others (metrics) the right one;
    "val_x" is drawn dashed in the colour of "x". `log_loss` puts losses on a log scale
    (default: when they are all positive and span more than a factor of 10). The x axis
    is the epoch (1-based); a list shorter than the others is drawn at its own length.
    """
    if not isinstance(history, dict) or not history:
        raise ValueError("plot_history: history must be a non-empty dict of lists")
    keys = list(history) if keys is None else list(keys)
    for key in keys:
        if key not in history:
            raise KeyError(f"plot_history: no {key!r} in the history (it has {list(history)})")
    losses = [k for k in keys if _is_loss(k)]
    metrics = [k for k in keys if not _is_loss(k)]
    panels = [group for group in (losses, metrics) if group]
    figure = new_figure(6 * len(panels), 4.5)
    colors = {}
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"]
    for index, group in enumerate(panels):
        axes = figure.add_subplot(1, len(panels), index + 1)
        for key in group:
            values = np.asarray(history[key], dtype=np.float64)
            base = key[4:] if key.startswith("val_") else key
            color = colors.setdefault(base, palette[len(colors) % len(palette)])
            epochs = np.arange(1, values.size + 1)
            axes.plot(epochs, values, color=color, linestyle="--" if key.startswith("val_")
                      else "-", marker="." if values.size <= 50 else None, label=key)
        if group is losses:
            values = np.concatenate([np.asarray(history[k], dtype=np.float64).ravel()
                                     for k in group])
            finite = values[np.isfinite(values)]
            use_log = log_loss
            if use_log is None:
                use_log = finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 10
            if use_log:
                axes.set_yscale("log")
            axes.set_ylabel("loss" + (" (log scale)" if use_log else ""))
            axes.set_title("Loss")
        else:
            axes.set_ylabel("metric")
            axes.set_title("Metrics")
        axes.set_xlabel("epoch")
        axes.grid(True, alpha=0.3)
        axes.legend()
    if title:
        figure.suptitle(title)
    return finish(figure, path)


# ---- decision boundary -----------------------------------------------------------------
def _class_scores(model, points):
    """(predicted class, confidence, number of classes, P(class 1) or None) for an
    (N, 2) grid, from the model's logits or probabilities."""
    with no_grad():
        output = model(Tensor(points.astype(np.float32)))
    scores = _array(output).astype(np.float64)
    if scores.ndim == 1 or scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores.reshape(-1)
        if scores.min() < 0 or scores.max() > 1:
            # logits: sigmoid, written stably for either sign
            small = np.exp(-np.abs(scores))
            scores = np.where(scores >= 0, 1 / (1 + small), small / (1 + small))
        predicted = (scores > 0.5).astype(int)
        return predicted, np.maximum(scores, 1 - scores), 2, scores
    if scores.ndim != 2:
        raise ValueError(f"plot_decision_boundary: the model returned shape {scores.shape}; "
                         "expected (N,), (N, 1) or (N, classes)")
    rows_sum_to_one = np.all(scores >= 0) and np.allclose(scores.sum(axis=1), 1, atol=1e-4)
    if not rows_sum_to_one:
        shifted = scores - scores.max(axis=1, keepdims=True)
        scores = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    p1 = scores[:, 1] if scores.shape[1] == 2 else None
    return scores.argmax(axis=1), scores.max(axis=1), scores.shape[1], p1


def plot_decision_boundary(model, X, y=None, path=None, resolution=200, padding=0.5,
                           class_names=None, title=None):
    """Colour the plane by the class `model` predicts, with the data on top.

    model: a callable taking an (N, 2) float32 Tensor and returning logits or
        probabilities, shape (N,) or (N, 1) (binary: sigmoid applied when values leave
        [0, 1]) or (N, classes) (softmax applied unless rows already sum to 1).
    X, y: the points (N, 2) and their labels (optional). The binary picture shades by
        P(class 1) with the 0.5 contour drawn; the multi-class one by the predicted
        class, lighter where the model is less sure.
    """
    X = _array(X).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {X.shape}")
    labels = None if y is None else _array(y).reshape(-1).astype(int)
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    predicted, confidence, classes, p1 = _class_scores(model, points)
    figure = new_figure(6.4, 5.2)
    axes = figure.add_subplot()
    from matplotlib import colormaps
    palette = colormaps["tab10"]
    if p1 is not None:
        probability = p1.reshape(grid_x.shape)
        filled = axes.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11),
                               cmap="RdBu_r", alpha=0.75)
        axes.contour(grid_x, grid_y, probability, levels=[0.5], colors="k", linewidths=1.5)
        colorbar = figure.colorbar(filled, ax=axes)
        colorbar.set_label("P(class 1)")
        point_colors = {0: "#2166ac", 1: "#b2182b"}
    else:
        base = np.array([palette(k % 10)[:3] for k in range(classes)])[predicted]
        sure = ((confidence - 1 / classes) / (1 - 1 / classes)).clip(0, 1)[:, None]
        image = (base * (0.35 + 0.45 * sure) + (1 - (0.35 + 0.45 * sure))).reshape(
            grid_x.shape + (3,))
        axes.imshow(image, origin="lower", extent=(low[0], high[0], low[1], high[1]),
                    aspect="auto", interpolation="nearest")
        axes.contour(grid_x, grid_y, predicted.reshape(grid_x.shape),
                     levels=np.arange(classes) + 0.5, colors="k", linewidths=1)
        point_colors = {k: palette(k % 10) for k in range(classes)}
    if labels is not None:
        for k in np.unique(labels):
            chosen = labels == k
            name = class_names[k] if class_names is not None else f"class {k}"
            axes.scatter(X[chosen, 0], X[chosen, 1], s=18, color=point_colors.get(k, "k"),
                         edgecolors="white", linewidths=0.6, label=name)
        axes.legend(loc="upper right", fontsize=8, framealpha=0.85)
    else:
        axes.scatter(X[:, 0], X[:, 1], s=12, color="k")
    axes.set_xlim(low[0], high[0])
    axes.set_ylim(low[1], high[1])
    axes.set_xlabel("x₁")
    axes.set_ylabel("x₂")
    axes.set_title(title or "Decision boundary")
    return finish(figure, path)


# ---- optimizer paths -------------------------------------------------------------------
def plot_optimizer_paths(f, paths, labels=None, xlim=None, ylim=None, levels=30,
                         log_levels=None, minimum=None, path=None, title=None,
                         resolution=300):
    """Contours of a 2-D loss surface with optimizer trajectories on top.

    f: f(x, y) evaluated on numpy grids (broadcasting), e.g.
        `lambda x, y: (1 - x)**2 + 100 * (y - x**2)**2`.
    paths: a list of trajectories, each a sequence of (x, y) points (array (k, 2)), or a
        dict label -> trajectory. labels: names for a list of paths.
    xlim, ylim: the plotted region (default: the paths' extent plus a margin).
    log_levels: contour levels spaced logarithmically (default: when f spans more than
        three orders of magnitude over the region and is positive).
    minimum: an (x, y) to mark with a star.
    Each path shows its start (circle) and end (square); a path that reaches inf or
    nan is drawn up to its last finite point and labelled "(diverged)".
    """
    if isinstance(paths, dict):
        labels, paths = list(paths), list(paths.values())
    paths = [np.asarray(p, dtype=np.float64) for p in paths]
    for index, p in enumerate(paths):
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"plot_optimizer_paths: path {index} must have shape (k, 2), "
                             f"got {p.shape}")
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f"plot_optimizer_paths: {len(labels)} labels for {len(paths)} paths")
    everything = np.concatenate(paths) if paths else np.zeros((1, 2))
    finite = everything[np.all(np.isfinite(everything), axis=1)]
    if minimum is not None:
        finite = np.vstack([finite, np.asarray(minimum, dtype=np.float64)[None]])
    span = np.maximum(finite.max(axis=0) - finite.min(axis=0), 1e-3)
    xlim = xlim or (finite[:, 0].min() - 0.15 * span[0], finite[:, 0].max() + 0.15 * span[0])
    ylim = ylim or (finite[:, 1].min() - 0.15 * span[1], finite[:, 1].max() + 0.15 * span[1])
    grid_x, grid_y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    surface = np.asarray(f(grid_x, grid_y), dtype=np.float64) * np.ones_like(grid_x)
    figure = new_figure(7, 5.6)
    axes = figure.add_subplot()
    values = surface[np.isfinite(surface)]
    if log_levels is None:
        log_levels = values.size > 0 and values.min() > 0 and values.max() / values.min() > 1e3
    if log_levels:
        if values.min() <= 0:
            raise ValueError("plot_optimizer_paths: log_levels needs f > 0 over the region")
        steps = np.geomspace(values.min(), values.max(), levels)
        filled = axes.contourf(grid_x, grid_y, surface, levels=steps, cmap="viridis",
                               norm=LogNorm(vmin=steps[0], vmax=steps[-1]))
        lines = steps[::3]
    else:
        filled = axes.contourf(grid_x, grid_y, surface, levels=levels, cmap="viridis")
        lines = filled.levels[::2]
    axes.contour(grid_x, grid_y, surface, levels=lines, colors="white", linewidths=0.4,
                 alpha=0.5)
    colorbar = figure.colorbar(filled, ax=axes)
    if log_levels:
        colorbar.locator = LogLocator()
        colorbar.formatter = LogFormatterSciNotation()
        colorbar.update_ticks()
    colorbar.set_label("f(x, y)" + (" (log scale)" if log_levels else ""))
    colors = ["#ff7f0e", "#d62728", "#000000", "#e377c2", "#ffffff", "#8c564b", "#17becf"]
    for index, p in enumerate(paths):
        color = colors[index % len(colors)]
        label = None if labels is None else str(labels[index])
        finite_rows = np.all(np.isfinite(p), axis=1)
        if not finite_rows.all():
            # a diverged run: draw it up to its last finite point and say so
            p = p[:np.argmin(finite_rows)]
            label = (label or f"path {index}") + " (diverged)"
        axes.plot(p[:, 0], p[:, 1], "-", color=color, linewidth=1.6, label=label,
                  marker="." if len(p) <= 60 else None, markersize=4)
        if len(p):
            axes.plot(p[0, 0], p[0, 1], "o", color=color, markeredgecolor="k", markersize=7)
            axes.plot(p[-1, 0], p[-1, 1], "s", color=color, markeredgecolor="k",
                      markersize=7)
    if minimum is not None:
        axes.plot(*minimum, "*", color="gold", markeredgecolor="k", markersize=15,
                  label="minimum")
    axes.set_xlim(*xlim)
    axes.set_ylim(*ylim)
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.set_title(title or "Optimizer trajectories (○ start, □ end)")
    if labels is not None or minimum is not None or axes.get_legend_handles_labels()[1]:
        axes.legend(loc="best", fontsize=9, framealpha=0.9, facecolor="#d9d9d9")
    return finish(figure, path)


# ---- image grids ------------------------------------------------------------------------
def _as_images(images, image_shape):
    array = _array(images).astype(np.float64)
    if image_shape is not None:
        array = array.reshape((array.shape[0],) + tuple(image_shape))
    if array.ndim == 2:
        side = int(round(math.sqrt(array.shape[1])))
        if side * side != array.shape[1]:
            raise ValueError(f"plot_image_grid: rows of length {array.shape[1]} are not square "
                             "images; pass image_shape=(height, width)")
        array = array.reshape(array.shape[0], side, side)
    if array.ndim == 4:
        if array.shape[1] in (1, 3) and array.shape[-1] not in (1, 3):
            array = array.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
        if array.shape[-1] == 1:
            array = array[..., 0]
    if array.ndim not in (3, 4):
        raise ValueError(f"plot_image_grid: expected images (N, H, W), (N, C, H, W), "
                         f"(N, H, W, C) or flat (N, H*W), got shape {_array(images).shape}")
    return array


def plot_image_grid(images, path=None, ncols=None, titles=None, cmap="gray",
                    image_shape=None, normalize="each", symmetric=False, title=None,
                    colorbar=False):
    """A grid of images: digits, reconstructions (pass originals and reconstructions
    stacked), feature maps or filters.

    images: (N, H, W), (N, 1 or 3, H, W), (N, H, W, 1 or 3), or flat (N, H*W) square
        images (or any shape with `image_shape`). Tensors or arrays.
    normalize: "each" (every image scaled to its own range), "all" (one range for the
        grid, so brightness compares across images) or None (values used as they are).
    symmetric: centre the range on 0 (for weights: a diverging colour map makes sense,
        e.g. cmap="RdBu_r"), so positive and negative weights of equal size look alike.
    titles: one string per image. colorbar: add a colour bar (for normalize="all"/None).
    """
    array = _as_images(images, image_shape)
    count = array.shape[0]
    if count == 0:
        raise ValueError("plot_image_grid: no images")
    if titles is not None and len(titles) != count:
        raise ValueError(f"plot_image_grid: {len(titles)} titles for {count} images")
    if normalize not in ("each", "all", None):
        raise ValueError(f"plot_image_grid: normalize must be 'each', 'all' or None, "
                         f"got {normalize!r}")
    ncols = ncols or min(count, int(math.ceil(math.sqrt(count))) if count > 3 else count)
    nrows = int(math.ceil(count / ncols))
    if titles is None:
        return _mosaic(array, nrows, ncols, cmap, normalize, symmetric, title, colorbar, path)
    cell = 1.5
    figure = new_figure(max(2.0, cell * ncols + (0.8 if colorbar else 0)),
                        cell * nrows + (0.5 if title else 0))
    grid = figure.subplots(nrows, ncols, squeeze=False)
    color = array.ndim == 4
    whole = _range(array, symmetric)
    image = None
    for index, axes in enumerate(grid.flat):
        axes.set_axis_off()
        if index >= count:
            continue
        picture = array[index]
        low, high = _range(picture, symmetric) if normalize == "each" else whole
        if color:
            if normalize is not None:
                picture = (picture - low) / (high - low) if high > low else picture * 0
            image = axes.imshow(np.clip(picture, 0, 1), interpolation="nearest")
        else:
            norm = Normalize(vmin=low, vmax=high) if normalize is not None else None
            image = axes.imshow(picture, cmap=cmap, norm=norm, interpolation="nearest")
        if titles is not None:
            axes.set_title(str(titles[index]), fontsize=8)
    if colorbar and image is not None and not color:
        figure.colorbar(image, ax=grid, shrink=0.8)
    if title:
        figure.suptitle(title)
    return finish(figure, path)


def _mosaic(array, nrows, ncols, cmap, normalize, symmetric, title, colorbar, path):
    """The grid as one tiled image with 1-pixel white gaps: one imshow instead of one
    subplot per image (a 100-image grid draws in a fraction of a second)."""
    count, height, width = array.shape[:3]
    color = array.ndim == 4
    gap = 1
    shape = (nrows * (height + gap) - gap, ncols * (width + gap) - gap) + array.shape[3:]
    canvas = np.full(shape, 1.0 if color else np.nan)
    whole = _range(array, symmetric)
    for index in range(count):  # a handful of array copies, not drawing calls
        row, col = divmod(index, ncols)
        picture = array[index].astype(np.float64)
        if normalize == "each" or (color and normalize == "all"):
            low, high = _range(picture, symmetric) if normalize == "each" else whole
            picture = (picture - low) / (high - low) if high > low else picture * 0 + 0.5
        top, left = row * (height + gap), col * (width + gap)
        canvas[top:top + height, left:left + width] = picture
    cell = 1.3
    figure = new_figure(max(2.0, cell * ncols + (0.8 if colorbar else 0)),
                        cell * nrows + (0.5 if title else 0))
    axes = figure.add_subplot()
    axes.set_axis_off()
    if color:
        image = axes.imshow(np.clip(canvas, 0, 1), interpolation="nearest")
    else:
        colormap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
        colormap = colormap.with_extremes(bad="white")  # the gaps between images
        norm = {"each": Normalize(vmin=0.0, vmax=1.0), "all": Normalize(*whole)}.get(normalize)
        image = axes.imshow(np.ma.masked_invalid(canvas), cmap=colormap, norm=norm,
                            interpolation="nearest")
        if colorbar and normalize != "each":
            figure.colorbar(image, ax=axes, shrink=0.8)
    if title:
        figure.suptitle(title)
    return finish(figure, path)


def _range(array, symmetric):
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return 0.0, 1.0
    if symmetric:
        bound = float(np.abs(finite).max()) or 1.0
        return -bound, bound
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def plot_conv_filters(weight, path=None, max_filters=64, title=None):
    """The filters of a conv layer, weight of shape (out_channels, in_channels, kH, kW).

    With 3 input channels each filter is shown in colour (scaled per filter); otherwise
    the input channels are averaged and each filter drawn with a diverging map (red
    positive, blue negative, white 0), scaled symmetrically per filter.
    """
    weight = _array(weight)
    if weight.ndim != 4:
        raise ValueError(f"plot_conv_filters: weight must be (out_channels, in_channels, kH, "
                         f"kW), got shape {weight.shape}")
    weight = weight[:max_filters]
    titles = [f"{k}" for k in range(weight.shape[0])]
    if weight.shape[1] == 3:
        heading = title or f"Conv filters {tuple(weight.shape[1:])}, RGB, scaled per filter"
        return plot_image_grid(weight, path=path, titles=titles, normalize="each",
                               title=heading)
    averaged = " (mean over input channels)" if weight.shape[1] > 1 else ""
    heading = title or (f"Conv filters {tuple(weight.shape[1:])}{averaged}\n"
                        "red > 0 > blue, each scaled to its own max |w|")
    return plot_image_grid(weight.mean(axis=1), path=path, titles=titles, cmap="RdBu_r",
                           normalize="each", symmetric=True, title=heading)


def plot_reconstructions(originals, reconstructions, path=None, count=10, image_shape=None,
                         title=None):
    """Originals (top row) above their reconstructions (bottom row), e.g. from an
    autoencoder; the first `count` of each, on one grey scale per pair of rows."""
    top = _as_images(originals, image_shape)[:count]
    bottom = _as_images(reconstructions, image_shape)[:count]
    if top.shape != bottom.shape:
        raise ValueError(f"plot_reconstructions: originals {top.shape} and reconstructions "
                         f"{bottom.shape} differ in shape")
    titles = ["original"] + [""] * (len(top) - 1) + ["reconstruction"] + [""] * (len(top) - 1)
    return plot_image_grid(np.concatenate([top, bottom]), path=path, ncols=len(top),
                           titles=titles, normalize="all", title=title)


# ---- confusion matrix -------------------------------------------------------------------
def confusion_matrix(y_true, y_pred, num_classes=None):
    """counts[i, j] = how many samples of true class i were predicted as class j."""
    true = _array(y_true).reshape(-1).astype(np.int64)
    predicted = _array(y_pred).reshape(-1).astype(np.int64)
    if true.shape != predicted.shape:
        raise ValueError(f"confusion_matrix: {true.size} true labels but {predicted.size} "
                         "predictions")
    if true.size and (true.min() < 0 or predicted.min() < 0):
        raise ValueError("confusion_matrix: labels must be non-negative class indices")
    if num_classes is None:
        num_classes = int(max(true.max(initial=-1), predicted.max(initial=-1)) + 1)
    if true.size and max(true.max(), predicted.max()) >= num_classes:
        raise ValueError(f"confusion_matrix: a label is >= num_classes={num_classes}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def plot_confusion_matrix(y_true=None, y_pred=None, matrix=None, class_names=None,
                          normalize=False, path=None, title=None):
    """A confusion matrix (rows: true class, columns: predicted), from labels or from a
    precomputed `matrix`. `normalize=True` shows each row as fractions (per-class
    recall on the diagonal). Each cell is annotated; the title gives the accuracy."""
    if matrix is None:
        if y_true is None or y_pred is None:
            raise ValueError("plot_confusion_matrix: pass y_true and y_pred, or matrix=")
        num_classes = None if class_names is None else len(class_names)
        matrix = confusion_matrix(y_true, y_pred, num_classes)
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"plot_confusion_matrix: matrix must be square, got {counts.shape}")
    size = counts.shape[0]
    names = [str(n) for n in class_names] if class_names is not None else [str(k) for k in
                                                                          range(size)]
    if len(names) != size:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for {size} classes")
    shown = counts
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    side = max(4.5, 0.55 * size + 2.5)
    figure = new_figure(side + 1, side)
    axes = figure.add_subplot()
    image = axes.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    colorbar = figure.colorbar(image, ax=axes, shrink=0.8)
    colorbar.set_label("fraction of the true class" if normalize else "count")
    high = shown.max() if shown.size else 0
    if size <= 30:
        for i in range(size):
            for j in range(size):
                text = f"{shown[i, j]:.2f}" if normalize else f"{int(counts[i, j])}"
                axes.text(j, i, text, ha="center", va="center", fontsize=8 if size > 10 else 10,
                          color="white" if high and shown[i, j] > 0.6 * high else "black")
    axes.set_xticks(range(size))
    axes.set_yticks(range(size))
    axes.set_xticklabels(names, rotation=45 if max(len(n) for n in names) > 3 else 0,
                         ha="right" if max(len(n) for n in names) > 3 else "center")
    axes.set_yticklabels(names)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    total = counts.sum()
    accuracy = np.trace(counts) / total if total else float("nan")
    axes.set_title(title or f"Confusion matrix (accuracy {accuracy:.1%})")
    return finish(figure, path)
