"""chainrule's optimizers: how parameters are updated from their gradients."""
