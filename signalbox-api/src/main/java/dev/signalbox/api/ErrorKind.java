package dev.signalbox.api;

/** The closed set of failures a client can see; the server alone maps each to an HTTP status. */
public enum ErrorKind {
  INVALID_REQUEST(400, "invalid_request_error"),
  UNAUTHENTICATED(401, "authentication_error"),
  FORBIDDEN(403, "permission_error"),
  NOT_FOUND(404, "invalid_request_error"),
  /** The client did not send its request in time. */
  REQUEST_TIMEOUT(408, "invalid_request_error"),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
  URI_TOO_LONG(414, "invalid_request_error"),
  UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error"),
  HEADERS_TOO_LARGE(431, "invalid_request_error"),
  RATE_LIMITED(429, "rate_limit_error"),
  /** An agent session spent its budget: OpenAI's quota error. */
  BUDGET_EXHAUSTED(429, "insufficient_quota"),
  NO_ELIGIBLE_MODEL(503, "service_unavailable_error"),
  OVERLOADED(503, "service_unavailable_error"),
  UPSTREAM_FAILED(502, "upstream_error"),
  UPSTREAM_TIMEOUT(504, "upstream_timeout_error"),
  INTERNAL(500, "server_error");

  private final int httpStatus;
  private final String openAiType;

  ErrorKind(int httpStatus, String openAiType) {
    this.httpStatus = httpStatus;
    this.openAiType = openAiType;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String openAiType() {
    return openAiType;
  }
}
