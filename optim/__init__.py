"""chainrule's optimizers: how parameters are updated from their gradients.

PyTorch's names, arguments, defaults and update formulas, on numpy: `SGD` (momentum,
Nesterov), `Adagrad`, `Adadelta`, `RMSprop`, `Adam`, `AdamW`; two from the optimisation
lectures, `SVRG` (variance-reduced SGD) and `NewtonCG` (Hessian-free Newton); gradient
clipping (`clip_grad_norm_`, `clip_grad_value_`); and learning-rate schedules in the
submodule `optim.lr_scheduler`. Around them: data feeding (`optim.data`: `DataLoader`,
`TensorDataset`, splits, scalers, noise), small built-in data sets (`optim.datasets`),
the fit loop (`Trainer` with callbacks) and hyperparameter search. Every optimizer works on `Tensor` parameters
(`model.parameters()`) and on `Value` parameters (`nn.value.MLP(...).parameters()`).
Each class docstring gives its update exactly as implemented and how the lecture
notes' form of it maps onto the arguments.
"""
from optim.optimizer import Optimizer
from optim.sgd import SGD
from optim.adagrad import Adagrad
from optim.adadelta import Adadelta
from optim.rmsprop import RMSprop
from optim.adam import Adam, AdamW
from optim.svrg import SVRG
from optim.newton_cg import NewtonCG
from optim.clip import clip_grad_norm_, clip_grad_value_, get_total_norm
from optim import lr_scheduler
from optim import data, datasets
from optim.callbacks import (Callback, EarlyStopping, GradientMonitorCallback,
                             LRSchedulerCallback, ModelCheckpoint)
from optim.data import DataLoader, TensorDataset
from optim.search import grid_search, log_uniform, random_search, uniform
from optim.trainer import Trainer, TrainingDiverged, accuracy

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "NewtonCG", "Optimizer", "RMSprop", "SGD",
           "SVRG", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "lr_scheduler",
           "data", "datasets", "Callback", "EarlyStopping", "GradientMonitorCallback",
           "LRSchedulerCallback", "ModelCheckpoint", "DataLoader", "TensorDataset",
           "grid_search", "log_uniform", "random_search", "uniform", "Trainer",
           "TrainingDiverged", "accuracy"]
