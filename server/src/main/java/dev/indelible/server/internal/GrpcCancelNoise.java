package dev.indelible.server.internal;

import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A client that cancels a Subscribe while events wait in the stream's HTTP/2 flow control makes
 * grpc-java's Netty handler log a WARNING "Stream Error" with a stack trace ("Stream closed
 * before write could take place"): normal, and the data is meant to be dropped (grpc-java issue
 * 6943, open). This logs exactly that record at FINE instead; every other record is untouched.
 */
final class GrpcCancelNoise {
    /** Held strongly: java.util.logging keeps loggers only weakly, and would drop the filter. */
    private static final Logger NETTY = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

    private GrpcCancelNoise() {
    }

    /** Installs the filter; calling it again changes nothing. */
    static void install() {
        NETTY.setFilter(GrpcCancelNoise::keep);
    }

    private static boolean keep(LogRecord record) {
        if (record.getLevel().intValue() > Level.FINE.intValue() && "Stream Error".equals(record.getMessage())
            && record.getThrown() instanceof Http2Exception.StreamException e && e.error() == Http2Error.STREAM_CLOSED) {
            NETTY.log(Level.FINE, "Stream Error: the client closed the stream while data was queued for it", e);
            return false;
        }
        return true;
    }
}
