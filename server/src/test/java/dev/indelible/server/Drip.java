package dev.indelible.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Sockets that each began a request and add one byte at a time (of a header, or of a body), never finishing it. */
final class Drip implements AutoCloseable {
    static final String HEADER = "POST /streams/selfies-user-9 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

    private final List<Socket> sockets = new ArrayList<>();
    private final List<StringBuilder> answers = new ArrayList<>();
    private int next;

    Drip(int port, int count) throws IOException {
        this(port, count, HEADER);
    }

    Drip(int port, int count, String begun) throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(1);
            sockets.add(socket);
            answers.add(new StringBuilder());
            socket.getOutputStream().write(begun.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** One more byte on the next {@code count} sockets, round robin (a space: still valid in a header or a JSON body). */
    void send(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            int at = next++ % sockets.size();
            try {
                OutputStream out = sockets.get(at).getOutputStream();
                out.write(' ');
                out.flush();
            } catch (IOException closedByTheServer) {
                answers.get(at).append("<closed>"); // answered (a 503, say) and closed: nothing more to drip there
            }
        }
    }

    /** How many the server still waits on: no answer, not closed. */
    int open() {
        poll();
        return (int) answers.stream().filter(a -> a.length() == 0).count();
    }

    /** How many were answered with this status line start, e.g. {@code "HTTP/1.1 503"}. */
    int answered(String status) {
        poll();
        return (int) answers.stream().filter(a -> a.toString().startsWith(status)).count();
    }

    private void poll() {
        byte[] buffer = new byte[4096];
        for (int i = 0; i < sockets.size(); i++) {
            StringBuilder answer = answers.get(i);
            if (answer.toString().endsWith("<closed>")) {
                continue;
            }
            try {
                int n = sockets.get(i).getInputStream().read(buffer);
                answer.append(n < 0 ? "<closed>" : new String(buffer, 0, n, StandardCharsets.US_ASCII));
            } catch (SocketTimeoutException nothingYet) {
                // the server is still reading this request
            } catch (IOException reset) {
                answer.append("<closed>");
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
