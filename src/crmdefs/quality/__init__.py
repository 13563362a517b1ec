"""`crmdefs quality`: how the records follow the definitions (model: the report as data; the counting and
the renderers build on it)."""
