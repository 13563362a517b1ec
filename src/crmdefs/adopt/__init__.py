"""`crmdefs adopt`: the CRM's texts and values written back into the YAML that binds them."""
