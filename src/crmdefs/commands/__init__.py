"""The click commands: parse, call the core, render, return an exit code. They never import each other."""
