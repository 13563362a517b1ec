"""The plan: normalized field state, desired state, the plan's types, the pure diff and the saved plan file."""
