class ClientError(Exception):
    """Shaped like botocore's: .response['Error']['Code'] and a message naming the operation."""

    def __init__(self, code, message, operation="Operation"):
        super().__init__(f"An error occurred ({code}) when calling the {operation} operation: {message}")
        self.response = {"Error": {"Code": code, "Message": message}}
