/**
 * The server's internals: the transports (HTTP/JSON on Jetty, gRPC), the one append service they
 * share ({@link dev.indelible.server.internal.AppendService}), reads, access and limits. Not API:
 * anything here may change. {@code EventInput}, {@code EventJson} and {@code NdjsonAppends} are
 * public because the {@code indelible} CLI in this repository reads and writes events the way the
 * server does; nothing else should use them.
 */
package dev.indelible.server.internal;
