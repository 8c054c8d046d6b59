"""chainrule's optimizers: how parameters are updated from their gradients.

PyTorch's names, arguments, defaults and update formulas, on numpy: `SGD` (momentum,
Nesterov), `Adagrad`, `Adadelta`, `RMSprop`, `Adam`, `AdamW`; two from the optimisation
lectures, `SVRG` (variance-reduced SGD) and `NewtonCG` (Hessian-free Newton); gradient
clipping (`clip_grad_norm_`, `clip_grad_value_`); and learning-rate schedules in the
submodule `optim.lr_scheduler`. Every optimizer works on `Tensor` parameters
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

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "NewtonCG", "Optimizer", "RMSprop", "SGD",
           "SVRG", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "lr_scheduler"]
