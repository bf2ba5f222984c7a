"""Stand-in: google.api_core (its exceptions)."""
