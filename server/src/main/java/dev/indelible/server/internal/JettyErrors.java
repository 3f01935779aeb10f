package dev.indelible.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty gives before a request reaches the API (a malformed request, a URI or header
 * over the limit), in the API's JSON error format rather than Jetty's HTML page.
 */
public final class JettyErrors extends ErrorHandler {
    private final int maxHeaderBytes;

    public JettyErrors(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        ApiError error = switch (status) {
            case 414 -> new ApiError(414, "request_too_large", "uri", "the request line is over the limit of "
                + maxHeaderBytes + " bytes");
            case 431 -> new ApiError(431, "request_too_large", "headers", "the request headers are over the limit of "
                + maxHeaderBytes + " bytes");
            case 413 -> new ApiError(413, "request_too_large", "body", "the body is over the limit");
            default -> status < 500
                ? new ApiError(status, "invalid_argument", "request", "malformed HTTP request: " + message)
                : new ApiError(status, "internal", null, "the server failed: " + message);
        };
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.write(true, ByteBuffer.wrap(error.json(null).getBytes(StandardCharsets.UTF_8)), callback);
    }
}
