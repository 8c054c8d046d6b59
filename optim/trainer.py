"""`Trainer`: the fit loop around a model, an optimizer and a loss.

    trainer = Trainer(model, optim.Adam(model.parameters()), nn.CrossEntropyLoss(),
                      metrics={"accuracy": accuracy})
    history = trainer.fit(train_loader, epochs=20, val_loader=val_loader,
                          callbacks=[EarlyStopping(patience=3)])

Each epoch runs mini-batches in training mode (zero_grad, forward, loss, backward,
optional gradient clipping, step), then evaluates the validation data in eval mode
without recording a graph. A non-finite loss stops training before the step, with
the epoch and step named.
"""
import math

import numpy as np

from autograd import no_grad
from optim.callbacks import History
from optim.clip import clip_grad_norm_


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def accuracy(outputs, targets):
    """Fraction of correct predictions: argmax over classes for (N, C) logits, or
    output > 0 (a logit) for a single output column against 0/1 targets."""
    out = np.asarray(outputs.data if hasattr(outputs, "data") else outputs)
    target = np.asarray(targets.data if hasattr(targets, "data") else targets)
    if out.ndim == 2 and out.shape[1] > 1:
        predicted = out.argmax(axis=1)
    else:
        predicted = (out.reshape(-1) > 0).astype(target.dtype)
        target = target.reshape(-1)
    if target.ndim == 2:  # one-hot or probability targets
        target = target.argmax(axis=1)
    return float((predicted == target).mean())


class Trainer:
    """Train `model` with `optimizer` on `loss_fn(outputs, targets)`.

    `metrics` maps names to functions (outputs, targets) -> float, averaged over
    batches weighted by batch size. `clip_grad_norm` clips the gradient's global L2
    norm before each step. `progress` shows one tqdm bar over all batches of all
    epochs, with the epoch and its running loss (default: when
    there are 20 or more batches in all).
    """

    def __init__(self, model, optimizer, loss_fn, metrics=None, clip_grad_norm=None,
                 progress=None):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.metrics = dict(metrics or {})
        self.clip_grad_norm = clip_grad_norm
        self.progress = progress
        self.stop_training = False
        self.history = {}

    def _progress_bar(self, total):
        show = self.progress if self.progress is not None else total >= 20
        if not show:
            return None
        from tqdm import tqdm
        return tqdm(total=total, unit="batch", dynamic_ncols=True)

    def train_epoch(self, loader, epoch=0, epochs=1, callbacks=(), bar=None):
        """One pass over `loader`; returns the epoch's mean loss and metrics."""
        self.model.train()
        totals, count = {}, 0
        for step, (x, y) in enumerate(loader):
            outputs = self.model(x)
            loss = self.loss_fn(outputs, y)
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingDiverged(
                    f"Trainer: the loss became {value} at epoch {epoch + 1}, step {step + 1} "
                    f"(before this step's update); lower the learning rate, clip gradients, "
                    "or check the data for NaN/Inf")
            self.optimizer.zero_grad()
            loss.backward()
            if self.clip_grad_norm is not None:
                clip_grad_norm_(self.model.parameters(), self.clip_grad_norm)
            self.optimizer.step()
            n = len(y)
            count += n
            logs = {"loss": value, **{k: f(outputs, y) for k, f in self.metrics.items()}}
            for key, v in logs.items():
                totals[key] = totals.get(key, 0.0) + v * n
            for callback in callbacks:
                callback.on_batch_end(self, step, logs)
            if bar is not None:
                bar.set_postfix_str(f"epoch {epoch + 1}/{epochs}, loss {totals['loss'] / count:.4f}",
                                    refresh=False)
                bar.update()
        return {key: total / count for key, total in totals.items()}

    def evaluate(self, loader):
        """Mean loss and metrics over `loader`, in eval mode, without a graph."""
        was_training = self.model.training
        self.model.eval()
        totals, count = {}, 0
        try:
            with no_grad():
                for x, y in loader:
                    outputs = self.model(x)
                    n = len(y)
                    count += n
                    logs = {"loss": self.loss_fn(outputs, y).item(),
                            **{k: f(outputs, y) for k, f in self.metrics.items()}}
                    for key, v in logs.items():
                        totals[key] = totals.get(key, 0.0) + v * n
        finally:
            self.model.train(was_training)
        return {key: total / count for key, total in totals.items()}

    def fit(self, train_loader, epochs, val_loader=None, callbacks=()):
        """Train for up to `epochs` epochs; returns the history, a dict of per-epoch
        lists: loss, metrics, val_loss, val_<metric>, lr."""
        history = History()
        callbacks = [history] + list(callbacks)
        self.stop_training = False
        for callback in callbacks:
            callback.on_train_begin(self)
        bar = self._progress_bar(epochs * len(train_loader))
        try:
            self._epochs(train_loader, epochs, val_loader, callbacks, bar)
        finally:
            if bar is not None:
                bar.close()
        for callback in callbacks:
            callback.on_train_end(self)
        self.history = history.history
        return self.history

    def _epochs(self, train_loader, epochs, val_loader, callbacks, bar):
        for epoch in range(epochs):
            for callback in callbacks:
                callback.on_epoch_begin(self, epoch)
            logs = self.train_epoch(train_loader, epoch, epochs, callbacks, bar)
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
            logs["lr"] = self.optimizer.param_groups[0]["lr"]
            for callback in callbacks:
                callback.on_epoch_end(self, epoch, logs)
            if self.stop_training:
                break
