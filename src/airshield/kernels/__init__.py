"""Numba kernels: the hot loops of the simulation and assignment modules."""
