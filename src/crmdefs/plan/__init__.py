"""The plan: normalized field state, desired state, the plan's types, the pure diff, the saved plan file."""
