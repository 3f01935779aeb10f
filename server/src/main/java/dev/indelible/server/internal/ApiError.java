package dev.indelible.server.internal;

import java.util.Map;

/** An HTTP error answer: status, a stable code, the field at fault (if any) and why. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final String field;
    final transient Map<String, Object> details;

    ApiError(int status, String code, String field, String message) {
        this(status, code, field, message, Map.of());
    }

    ApiError(int status, String code, String field, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.details = details;
    }

    /** The JSON error answer, {@code {"error", "field", "message", ...details}}; first {@code "line"} when given. */
    String json(Long line) {
        return dev.indelible.server.EventJson.object(g -> {
            if (line != null) {
                g.writeNumberField("line", line);
            }
            g.writeStringField("error", code);
            if (field != null) {
                g.writeStringField("field", field);
            }
            g.writeStringField("message", getMessage());
            for (Map.Entry<String, Object> d : new java.util.TreeMap<>(details).entrySet()) {
                g.writeObjectField(d.getKey(), d.getValue());
            }
        });
    }

    static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_argument", field, message);
    }

    static ApiError notFound(String field, String message) {
        return new ApiError(404, "not_found", field, message);
    }
}
