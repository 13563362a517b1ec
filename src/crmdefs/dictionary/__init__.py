"""`crmdefs dictionary`: every field of whole objects, as the CRM holds it, with what governs it and how
well it is documented."""
