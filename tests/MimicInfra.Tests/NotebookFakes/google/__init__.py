"""Stand-in for the google namespace package in the example notebook's tests (bigquery, api_core, auth)."""
