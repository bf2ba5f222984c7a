"""Stand-in: google.cloud."""
