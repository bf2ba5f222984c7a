"""A stand-in for botocore in the import tests: only what the import script imports."""
