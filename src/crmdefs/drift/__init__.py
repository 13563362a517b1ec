"""Drift: classifying differences against the applied state and baselines, and the drift report."""
