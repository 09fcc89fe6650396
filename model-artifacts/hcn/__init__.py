"""HCN (Hierarchical Multi-Interest Co-Network) in PyTorch: data, model, training, evaluation, export.

Modules: config (frozen dataclasses), data (loaders, leave-one-out split, windows, negatives),
model (item tower, HCN user tower, Eq. 8 aggregation, Eq. 9 loss), train / evaluate (CLI and
run_experiment), export (the service's bundle), synthetic (random-weight benchmark bundle).
"""
