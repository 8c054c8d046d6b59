"""Callbacks for `Trainer`: early stopping, learning-rate schedules, checkpoints and a
gradient monitor. A callback overrides any of the `on_*` methods; `logs` is the dict
of the epoch's numbers (loss, val_loss, metrics, lr)."""
import math


class Callback:
    """Base class: every hook does nothing."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer, epoch):
        pass

    def on_batch_end(self, trainer, step, logs):
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_train_end(self, trainer):
        pass


def _better(mode, value, best, min_delta):
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience`
    epochs; with `restore_best_weights` the model ends with the weights of its best
    epoch (the notes' early stopping)."""

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="min",
                 restore_best_weights=True):
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, trainer):
        self.best, self.best_epoch, self.wait, self.best_state = None, None, 0, None
        self.stopped_epoch = None

    def on_epoch_end(self, trainer, epoch, logs):
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: '{self.monitor}' is not among the logged values "
                           f"{sorted(logs)} (validation data missing?)")
        value = logs[self.monitor]
        if _better(self.mode, value, self.best, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = {k: v.data.copy() for k, v in trainer.model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                trainer.stop_training = True

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler once per epoch (`ReduceLROnPlateau` gets the
    monitored value)."""

    def __init__(self, scheduler, monitor="val_loss"):
        self.scheduler, self.monitor = scheduler, monitor

    def on_epoch_end(self, trainer, epoch, logs):
        if type(self.scheduler).__name__ == "ReduceLROnPlateau":
            self.scheduler.step(logs[self.monitor])
        else:
            self.scheduler.step()


class ModelCheckpoint(Callback):
    """Save the model's state dict with `nn.save` after each epoch, or only when
    `monitor` improves (`save_best_only=True`). `path` may contain `{epoch}`."""

    def __init__(self, path, monitor="val_loss", mode="min", save_best_only=True):
        self.path, self.monitor, self.mode, self.save_best_only = path, monitor, mode, save_best_only
        self.best = None
        self.saved = []

    def on_epoch_end(self, trainer, epoch, logs):
        import nn
        if self.save_best_only:
            value = logs[self.monitor]
            if not _better(self.mode, value, self.best, 0.0):
                return
            self.best = value
        path = str(self.path).format(epoch=epoch)
        nn.save({"model": trainer.model.state_dict(), "epoch": epoch,
                 "optimizer": trainer.optimizer.state_dict()}, path)
        self.saved.append(path)


class GradientMonitorCallback(Callback):
    """Feed a `viz.GradientMonitor` after every optimizer step."""

    def __init__(self, monitor):
        self.monitor = monitor

    def on_batch_end(self, trainer, step, logs):
        self.monitor.step()


class History(Callback):
    """Collects the per-epoch logs into lists: history["loss"][epoch], ..."""

    def on_train_begin(self, trainer):
        self.history = {}

    def on_epoch_end(self, trainer, epoch, logs):
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)


def is_finite(value):
    return isinstance(value, (int, float)) and math.isfinite(value)


__all__ = ["Callback", "EarlyStopping", "GradientMonitorCallback", "History",
           "LRSchedulerCallback", "ModelCheckpoint"]
