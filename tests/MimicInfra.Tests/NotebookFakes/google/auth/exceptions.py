"""google.auth.exceptions: what missing and expired credentials raise."""


class GoogleAuthError(Exception):
    pass


class DefaultCredentialsError(GoogleAuthError):
    pass


class RefreshError(GoogleAuthError):
    pass
