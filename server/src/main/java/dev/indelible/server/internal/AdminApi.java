package dev.indelible.server.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.indelible.server.Token;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's routes for a token with the {@code admin} verb, what the console does for a person,
 * for a script: {@code POST /admin/erase?subject=account-<id>} (crypto-shredding), {@code POST /admin/verify} and {@code POST /admin/projections/{name}/rebuild} (each
 * streamed as server-sent events), {@code POST /admin/projections/{name}/rollback},
 * {@code GET /admin/projections/{name}} (versions, quarantine, history) and {@code GET /admin/audit}.
 * The same operations as the console's, each change an {@code ops.*} event naming the token with
 * {@code via: http}. Thread-safe.
 */
final class AdminApi {
    private final AdminOperations operations;
    private final AuditTrail audit;

    AdminApi(AdminOperations operations, AuditTrail audit) {
        this.operations = operations;
        this.audit = audit;
    }

    /** The route's JSON answer; null when it has streamed its answer to {@code r}'s exchange already. */
    String answer(Request r, Token token) {
        List<String> path = r.segments.subList(1, r.segments.size());
        Map<String, String> by = Map.of("by_token", token.name(), "via", "http");
        boolean post = r.method.equals("POST");
        boolean get = r.method.equals("GET");
        if (path.equals(List.of("verify")) && post) {
            stream(r.onlyParams().exchange, operations.verify(by));
            return null;
        }
        if (path.equals(List.of("erase")) && post) {
            String subject = r.onlyParams("subject").query.get("subject");
            boolean erased = operations.erase(subject, by);
            return EventJson.object(g -> {
                g.writeStringField("subject", subject);
                g.writeBooleanField("erased", true);
                g.writeBooleanField("already_erased", !erased);
            });
        }
        if (path.equals(List.of("audit")) && get) {
            return audit.json(r);
        }
        if (path.size() == 2 && path.get(0).equals("projections") && get) {
            return operations.versions(r.onlyParams().segments.get(2));
        }
        if (path.size() == 3 && path.get(0).equals("projections") && post && path.get(2).equals("rebuild")) {
            stream(r.onlyParams().exchange, operations.rebuild(path.get(1), by));
            return null;
        }
        if (path.size() == 3 && path.get(0).equals("projections") && post && path.get(2).equals("rollback")) {
            return operations.rollback(r.onlyParams().segments.get(2), by);
        }
        throw ApiError.notFound("path", "no route " + r.method + " " + r.exchange.getRequestURI().getRawPath()
            + " (admin: POST /admin/verify, POST /admin/erase?subject=, GET /admin/audit, GET /admin/projections/{name},"
            + " POST /admin/projections/{name}/rebuild or /rollback)");
    }

    private static void stream(HttpExchange exchange, AdminOperations.Streamed operation) {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        try (OperationProgress progress = OperationProgress.open(exchange)) {
            operation.run(progress);
        }
    }
}
