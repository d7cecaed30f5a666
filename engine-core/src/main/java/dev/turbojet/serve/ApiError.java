package dev.turbojet.serve;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request the server answers with an error status: the client's mistake (400, 401, 404, 413), or
 * a refusal it may retry (503 with Retry-After, 504). Never a server fault: those are logged and
 * answered 500 by {@link TurbojetServer}.
 *
 * @param status     the HTTP status
 * @param type       OpenAI's error type ("invalid_request_error", "authentication_error", ...)
 * @param param      the request field at fault, when one is
 * @param retryAfter seconds for a Retry-After header
 */
final class ApiError extends RuntimeException {
    static final String INVALID_REQUEST = "invalid_request_error";

    final int status;
    final String type;
    final Optional<String> param;
    final OptionalInt retryAfter;

    ApiError(int status, String type, Optional<String> param, String message, OptionalInt retryAfter) {
        super(message, null, false, false);                       // no stack trace: this is an answer, not a fault
        this.status = status;
        this.type = type;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    /** 400: field {@code param} breaks {@code rule}. */
    static ApiError invalid(String param, String rule) {
        return new ApiError(400, INVALID_REQUEST, Optional.of(param), param + ": " + rule, OptionalInt.empty());
    }

    /** 400 not tied to one field (a body that is not JSON, say). */
    static ApiError invalidBody(String message) {
        return new ApiError(400, INVALID_REQUEST, Optional.empty(), message, OptionalInt.empty());
    }

    /** 503 with Retry-After: the queue is full, the model is still loading, the server is stopping. */
    static ApiError unavailable(String message, int retryAfterSeconds) {
        return new ApiError(503, "server_busy", Optional.empty(), message, OptionalInt.of(Math.max(1, retryAfterSeconds)));
    }
}
