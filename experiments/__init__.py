"""Experiments that run the model through its public functions and write what they measure."""
