"""The built-in model: a small decoder-only transformer trained by this project on
specification-to-code pairs, shipped as weights and run on the CPU with numpy alone.

``--model tiny`` (backend ``TinyBackend``); ``python -m codehazard.models.tiny.train --seed 0``
reproduces the weights (PyTorch, in the ``train`` extra); docs/tiny-model.md is its model card.
"""

from codehazard.models.tiny._backend import WEIGHTS, TinyBackend, load_model, weights_digest
from codehazard.models.tiny._engine import (
    Config,
    Generated,
    Sampling,
    TinyModel,
    init_weights,
    save,
)
from codehazard.models.tiny._tokenizer import Tokenizer, learn_merges

__all__ = [
    "WEIGHTS",
    "Config",
    "Generated",
    "Sampling",
    "TinyBackend",
    "TinyModel",
    "Tokenizer",
    "init_weights",
    "learn_merges",
    "load_model",
    "save",
    "weights_digest",
]
