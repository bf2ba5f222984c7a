"""botocore's exceptions as the notebook meets them: ClientError (with .response) and NoCredentialsError."""


class BotoCoreError(Exception):
    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs):
        super().__init__(self.fmt.format(**kwargs))
        self.kwargs = kwargs


class NoCredentialsError(BotoCoreError):
    fmt = "Unable to locate credentials"


class ClientError(Exception):
    def __init__(self, error_response, operation_name):
        error = error_response.get("Error", {})
        super().__init__(f"An error occurred ({error.get('Code', 'Unknown')}) when calling the {operation_name} operation: {error.get('Message', 'Unknown')}")
        self.response = error_response
        self.operation_name = operation_name
