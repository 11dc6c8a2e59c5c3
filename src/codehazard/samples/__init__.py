"""Samples: model outputs, samples files, and extraction of the program to run."""

from codehazard.samples._extract import build_program, fenced_blocks, prompt_header
from codehazard.samples._model import BadLine, Sample, SamplesFile, load_samples
from codehazard.samples._spool import SampleSpool, spool_samples

__all__ = [
    "BadLine",
    "Sample",
    "SampleSpool",
    "SamplesFile",
    "build_program",
    "fenced_blocks",
    "load_samples",
    "prompt_header",
    "spool_samples",
]
