"""The built-in model: a small decoder-only transformer trained by this project on
specification-to-code pairs, shipped as weights and run on the CPU with numpy alone.

``--model tiny`` (backend ``TinyBackend``); ``python -m codehazard.models.tiny.train --seed 0``
reproduces the weights (PyTorch, in the ``train`` extra); docs/tiny-model.md is its model card.
"""
