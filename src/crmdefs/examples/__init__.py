"""`crmdefs examples`: the most recent records holding a term's values on each CRM, for the review meeting."""
