"""Peer models of AirShield's raid, written with other tools, for side-by-side benchmarks."""
