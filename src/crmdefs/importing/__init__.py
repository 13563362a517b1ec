"""`crmdefs import`: field bindings written from what a CRM holds today (read-only against the CRM)."""
