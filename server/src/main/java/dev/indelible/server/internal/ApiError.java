package dev.indelible.server.internal;

import dev.indelible.server.api.Failure;
import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * A refused request on either API: the wire's {@link Failure} (stable code, field at fault, why,
 * and the typed details of a refused append) and its HTTP status. This class holds the one table
 * between HTTP statuses and gRPC codes, and writes a {@link Failure} as HTTP's JSON error.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final transient Failure failure;

    ApiError(int status, String code, String field, String message) {
        this(status, Failure.newBuilder().setCode(grpcCode(status).name()).setError(code)
            .setField(field == null ? "" : field).setMessage(message).build());
    }

    private ApiError(int status, Failure failure) {
        super(failure.getMessage(), null, false, false);
        this.status = status;
        this.failure = failure;
    }

    /** The error of a {@link Failure} made elsewhere (a refused append's), with its HTTP status. */
    static ApiError of(Failure failure) {
        return new ApiError(httpStatus(failure), failure);
    }

    String code() {
        return failure.getError();
    }

    String field() {
        return failure.getField().isEmpty() ? null : failure.getField();
    }

    /** The same error with {@code prefix} before its message (e.g. {@code line 3: }). */
    ApiError prefixed(String prefix) {
        return new ApiError(status, failure.toBuilder().setMessage(prefix + failure.getMessage()).build());
    }

    /** The JSON error answer: see {@link #json(Failure, Long)}. */
    String json(Long line) {
        return json(failure, line);
    }

    /**
     * {@code {"error", "field", "message", ...details}}, first {@code "line"} when given; then a
     * refused transaction's {@code "part"} or {@code "condition"}; the details of a refused append
     * in name order, as HTTP has always written them.
     */
    static String json(Failure f, Long line) {
        return EventJson.object(g -> {
            if (line != null) {
                g.writeNumberField("line", line);
            }
            g.writeStringField("error", f.getError());
            if (!f.getField().isEmpty()) {
                g.writeStringField("field", f.getField());
            }
            g.writeStringField("message", f.getMessage());
            switch (f.getTransactionItemCase()) {
                case PART -> g.writeNumberField("part", f.getPart());
                case CONDITION -> g.writeNumberField("condition", f.getCondition());
                default -> {
                }
            }
            switch (f.getError()) {
                case "wrong_expected_version" -> {
                    g.writeNumberField("actual_version", f.getActualVersion());
                    g.writeNumberField("expected_version", f.getExpectedVersion());
                    g.writeStringField("stream", f.getStream());
                }
                case "rule_violated" -> {
                    g.writeNumberField("actual_version", f.getActualVersion());
                    g.writeStringField("checked_stream", f.getCheckedStream());
                    g.writeNumberField("event_index", f.getEventIndex());
                    g.writeNumberField("required_version", f.getRequiredVersion());
                    g.writeStringField("rule", f.getRule());
                    g.writeStringField("stream", f.getStream());
                    g.writeStringField("why", f.getWhy());
                }
                case "event_id_conflict" -> {
                    g.writeStringField("event_id", f.getEventId());
                    g.writeNumberField("existing_global_seq", f.getExistingGlobalSeq());
                    g.writeStringField("stream", f.getStream());
                }
                default -> {
                }
            }
        });
    }

    /** The gRPC status of this error; the description starts with the field at fault. */
    Status grpcStatus() {
        return grpcStatus(failure);
    }

    static Status grpcStatus(Failure f) {
        return Status.fromCode(Status.Code.valueOf(f.getCode())).withDescription(description(f));
    }

    /**
     * The gRPC error of {@code f} with {@code f} itself in the status details
     * ({@code grpc-status-details-bin}), so that a client can read the refusal typed.
     */
    static StatusRuntimeException grpcError(Failure f) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.valueOf(f.getCode()).value()).setMessage(description(f)).addDetails(Any.pack(f)).build());
    }

    private static String description(Failure f) {
        return (f.getField().isEmpty() ? "" : f.getField() + ": ") + f.getMessage() + " [" + f.getError() + "]";
    }

    private static Status.Code grpcCode(int status) {
        return switch (status) {
            case 400 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 409 -> Status.Code.FAILED_PRECONDITION;
            case 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 503 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.INTERNAL;
        };
    }

    private static int httpStatus(Failure f) {
        return switch (Status.Code.valueOf(f.getCode())) {
            case INVALID_ARGUMENT -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION -> 409;
            case RESOURCE_EXHAUSTED -> f.getError().startsWith("too_many_requests")
                || f.getError().equals("too_many_subscriptions") ? 429 : 413;
            case UNAVAILABLE -> 503;
            default -> 500;
        };
    }

    static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_argument", field, message);
    }

    static ApiError notFound(String field, String message) {
        return new ApiError(404, "not_found", field, message);
    }

    static ApiError unavailable(String message) {
        return new ApiError(503, "unavailable", null, message);
    }
}
