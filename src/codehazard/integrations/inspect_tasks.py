"""Inspect's entry point into codehazard (group ``inspect_ai``, name ``codehazard``).

Inspect imports this module when it looks up a ``codehazard/...`` name (``inspect eval
codehazard/building_blocks``); importing it registers every suite and probe as an Inspect
task. It needs the ``inspect`` extra (``pip install 'codehazard[inspect]'``).
"""

from __future__ import annotations

from codehazard.integrations._inspect_task import register_inspect_tasks

TASKS = register_inspect_tasks()
"""The registered Inspect task functions by name (``building_blocks``, ``security``...)."""

__all__ = ["TASKS"]
