"""Stand-in: google.auth (its exceptions)."""
