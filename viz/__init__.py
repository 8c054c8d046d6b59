"""chainrule's pictures: computation-graph diagrams and gradient-flow views."""
