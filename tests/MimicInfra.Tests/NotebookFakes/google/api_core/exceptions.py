"""google.api_core.exceptions as google-cloud-bigquery raises them: an HTTP status class, .code, .message, .errors."""
import http.client


class GoogleAPIError(Exception):
    pass


class GoogleAPICallError(GoogleAPIError):
    code = None

    def __init__(self, message, errors=(), response=None):
        super().__init__(message)
        self.message = message
        self._errors = list(errors)
        self._response = response

    def __str__(self):
        return f"{self.code} {self.message}" if self.code is not None else self.message

    @property
    def errors(self):
        return list(self._errors)

    @property
    def reason(self):
        return self._errors[0].get("reason") if self._errors else None


class ClientError(GoogleAPICallError):
    pass


class BadRequest(ClientError):
    code = http.client.BAD_REQUEST


class Forbidden(ClientError):
    code = http.client.FORBIDDEN


class NotFound(ClientError):
    code = http.client.NOT_FOUND


class ServerError(GoogleAPICallError):
    pass


class InternalServerError(ServerError):
    code = http.client.INTERNAL_SERVER_ERROR


_BY_STATUS = {c.code: c for c in (BadRequest, Forbidden, NotFound, InternalServerError)}


def from_http_status(status_code, message, **kwargs):
    error = _BY_STATUS.get(status_code, GoogleAPICallError)(message, **kwargs)
    if error.code is None:
        error.code = status_code
    return error
