"""`crmdefs init`: a new project for the user's own CRMs (answers → crmdefs.yaml, starter definitions)."""
