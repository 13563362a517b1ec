"""Free text → standard codes: suggestions and the reviewed mapping file."""
