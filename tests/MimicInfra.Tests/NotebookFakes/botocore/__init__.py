"""Stand-in for botocore (its exceptions) in the example notebook's tests."""
