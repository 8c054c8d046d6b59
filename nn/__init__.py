"""chainrule's neural-network building blocks, with PyTorch's names and layouts.

`Module` and `Parameter`; containers; layers (linear, activation, dropout,
normalization, embedding, convolution, pooling, recurrent); losses and penalties;
`nn.functional` (what the layers call); `nn.init`; architectures from the lecture
notes (MLP, LeNet5, ResNet, VGG, Inception, Autoencoder); RBMs and greedy pre-training;
`save`/`load` of state dicts; and `nn.value` for hand-sized networks of scalar
`Value`s (`Neuron`, `Layer`, `MLP`).
"""
from nn.parameter import Parameter
from nn.module import Module
from nn.containers import Flatten, Identity, ModuleDict, ModuleList, Sequential
from nn.serialization import load, save
from nn import functional, init, value
from nn.activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from nn.dropout import Dropout, mc_dropout_predict
from nn.embedding import Embedding
from nn.linear import Linear
from nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from nn.regularization import elastic_net_penalty, l1_penalty, l2_penalty, weight_parameters
from nn.architectures import (MLP, Autoencoder, BasicBlock, InceptionBlock, InceptionNet,
                              LeNet5, ResNet, VGGSmall)
from nn.rbm import DBN, RBM, init_mlp_from_rbms, pretrain_stack
from nn.conv import Conv2d
from nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from nn.recurrent import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase

__all__ = [
    "Flatten", "Identity", "Module", "ModuleDict", "ModuleList", "Parameter", "Sequential",
    "functional", "init", "load", "save", "value",
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "CrossEntropyLoss",
    "Dropout", "ELU", "Embedding", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax",
    "MSELoss", "NLLLoss", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "elastic_net_penalty", "l1_penalty", "l2_penalty", "mc_dropout_predict",
    "weight_parameters",
    "MLP", "Autoencoder", "BasicBlock", "InceptionBlock", "InceptionNet", "LeNet5", "ResNet",
    "VGGSmall", "DBN", "RBM", "init_mlp_from_rbms", "pretrain_stack",
    "AdaptiveAvgPool2d", "AvgPool2d", "Conv2d", "GRU", "GRUCell", "LSTM", "LSTMCell",
    "MaxPool2d", "RNN", "RNNBase", "RNNCell", "RNNCellBase",
]
