package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both APIs over TLS with a certificate made by openssl; plain text is refused on the TLS ports. */
class TlsTest {
    @TempDir
    Path dir;

    @Test
    void shouldServeBothApisOverTlsOnly() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
            .redirectErrorStream(true).start();
        assumeTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl made a certificate");
        try (ServerFixture f = new ServerFixture(dir.resolve("data"), ServerConfig.defaults().withTls(cert, key))) {
            String token = f.token("bot", "selfies-*", Verb.APPEND);
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
            HttpResponse<String> answer = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.server.port()
                    + "/streams/selfies-user-7")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(Http.selfie(7, "f1"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            HttpResponse<String> signIn = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.server.port()
                    + "/console/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + f.token("ops", "*", Verb.ADMIN) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertTrue(signIn.headers().firstValue("Set-Cookie").orElseThrow().endsWith("; Secure"), "the console's cookie");
            try (IndelibleClient client = IndelibleClient.connectTls("127.0.0.1", f.server.grpcPort(), token, cert)) {
                assertInstanceOf(AppendResult.Appended.class, client.append("selfies-user-7", ExpectedVersion.ANY, GrpcApiTest.selfie(7, "f2")));
            }
            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + f.server.port() + "/status")).timeout(java.time.Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()));
            try (IndelibleClient plain = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                assertEquals("UNAVAILABLE", assertThrows(IndelibleClient.RequestFailedException.class,
                    () -> plain.append("selfies-user-7", ExpectedVersion.ANY, GrpcApiTest.selfie(7, "f3"))).code());
            }
            assertEquals(2, f.ledger.head());
        }
        assertTrue(ServerConfig.defaults().withBind("0.0.0.0", 0).withTls(cert, key).checkedAddress().isAnyLocalAddress(),
            "a non-loopback bind is allowed with TLS");
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
