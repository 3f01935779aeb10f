package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC port's bounds: handshake and idle timeouts, header size and a connection count. */
class GrpcConnectionBoundsTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** An empty SETTINGS frame: length 0, type 4, no flags, stream 0. */
    private static final byte[] SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    private static final int CONNECTION_LIMIT = 1_024;

    @TempDir
    Path dir;

    @Test
    void shouldCloseSilentHalfOpenAndIdleConnectionsWhileClientsAndAQuietSubscriptionGoOn() throws Exception {
        try (ServerFixture f = new ServerFixture(dir, ServerConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)))) {
            String token = f.token("bot", "selfies-*", Verb.APPEND, Verb.READ);
            try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                client.append("selfies-user-7", ExpectedVersion.ANY, GrpcApiTest.selfie(7, "before"));
                BlockingQueue<RecordedEvent> received = new LinkedBlockingQueue<>();
                AutoCloseable subscription = client.subscribe(f.ledger.head(), received::add, ended -> { });

                long opened = System.nanoTime();
                Socket silent = new Socket("127.0.0.1", f.server.grpcPort());
                Socket partial = new Socket("127.0.0.1", f.server.grpcPort());
                partial.getOutputStream().write(PREFACE, 0, 10);
                Socket idle = http2(f.server.grpcPort());
                awaitClosed(silent, "a connection that sends nothing");
                awaitClosed(partial, "a connection that sends half a preface");
                awaitClosed(idle, "an HTTP/2 connection with no call");
                assertTrue(System.nanoTime() - opened >= TimeUnit.SECONDS.toNanos(1), "the idle timeout passed");

                // the client's own idle connection was closed too: it connects again by itself
                client.append("selfies-user-7", ExpectedVersion.ANY, GrpcApiTest.selfie(7, "after"));
                RecordedEvent next = received.poll(20, TimeUnit.SECONDS);
                assertTrue(next != null, "the subscription, quiet for longer than the idle timeout, still follows");
                assertEquals(f.ledger.head() - 1, next.globalSeq());
                subscription.close();
            }
        }
    }

    @Test
    void shouldRefuseCallsOverTheConnectionLimitUntilOneCloses() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "*", Verb.STATUS);
            List<Socket> held = new ArrayList<>();
            ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
            try {
                for (int i = 0; i < CONNECTION_LIMIT; i++) {
                    held.add(http2(f.server.grpcPort()));
                }
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> GrpcChannels.ledger(channel, token).status(StatusRequest.getDefaultInstance()));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
                assertTrue(refused.getStatus().getDescription().startsWith("connections: this server has 1024 gRPC"),
                    refused.getStatus().toString());

                held.remove(0).close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (true) {
                    try {
                        GrpcChannels.ledger(channel, token).status(StatusRequest.getDefaultInstance());
                        break; // the same connection is admitted once a slot is free
                    } catch (StatusRuntimeException stillFull) {
                        if (System.nanoTime() > deadline) {
                            fail("no call admitted within 20 s of a connection closing: " + stillFull.getStatus());
                        }
                        Thread.sleep(20);
                    }
                }
            } finally {
                channel.shutdownNow();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldTakeMetadataUpToSixteenKibAndRefuseMore() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "*", Verb.STATUS);
            ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
            try {
                GrpcChannels.ledger(channel, token).withInterceptors(padding(12 * 1024)).status(StatusRequest.getDefaultInstance());
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> GrpcChannels.ledger(channel, token)
                    .withInterceptors(padding(17 * 1024)).status(StatusRequest.getDefaultInstance()));
                assertTrue(refused.getStatus().getDescription().contains("Header size exceeded max allowed size (16384)")
                    || String.valueOf(refused.getStatus().getCause()).contains("(16384)"), refused.getStatus().toString());
                GrpcChannels.ledger(channel, token).status(StatusRequest.getDefaultInstance());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static io.grpc.ClientInterceptor padding(int bytes) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(bytes));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** A connection that completed the HTTP/2 handshake (the server acknowledged its settings), then sends nothing. */
    private static Socket http2(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(PREFACE);
        out.write(SETTINGS);
        out.flush();
        InputStream in = socket.getInputStream();
        while (true) {
            byte[] header = in.readNBytes(9);
            if (header.length < 9) {
                throw new IOException("the server closed the connection during the handshake");
            }
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
            in.readNBytes(length);
            if (header[3] == 4 && (header[4] & 1) == 1) {
                return socket; // SETTINGS with ACK
            }
        }
    }

    /**
     * Waits, at most 10 s, for the server to close the connection, answering its pings as an
     * HTTP/2 client does (grpc-java's graceful close waits up to 10 s more for a peer that does not).
     */
    private static void awaitClosed(Socket socket, String what) throws IOException {
        socket.setSoTimeout(10_000);
        try (socket) {
            InputStream in = socket.getInputStream();
            while (true) {
                byte[] header = in.readNBytes(9);
                if (header.length < 9) {
                    return;
                }
                int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                byte[] payload = in.readNBytes(length);
                if (header[3] == 6 && (header[4] & 1) == 0) { // PING: answer with PING ACK
                    byte[] ack = {0, 0, 8, 6, 1, 0, 0, 0, 0};
                    socket.getOutputStream().write(ack);
                    socket.getOutputStream().write(payload);
                }
            }
        } catch (SocketTimeoutException e) {
            fail(what + " is still open after 10 s");
        } catch (IOException reset) {
            // closed
        }
    }
}
