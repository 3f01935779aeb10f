package dev.indelible.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports {@code serve} will listen on, bound before the data directory is opened so that a port
 * in use is refused with nothing written, and held until the server takes them over (released just
 * before it binds). Port 0 needs no reservation. Not thread-safe: one command's start-up.
 */
final class PortReservation implements AutoCloseable {
    private final List<ServerSocket> held;

    private PortReservation(List<ServerSocket> held) {
        this.held = held;
    }

    /**
     * Binds {@code address} at the HTTP and the gRPC port as the server will (address reuse on, so
     * a connection of the last run in TIME_WAIT is no refusal); a port of 0 is left alone.
     *
     * @throws IllegalArgumentException naming the option of a port that cannot be bound
     */
    static PortReservation hold(InetAddress address, int httpPort, int grpcPort) {
        PortReservation reservation = new PortReservation(new ArrayList<>());
        try {
            reservation.bind(address, httpPort, "port");
            reservation.bind(address, grpcPort, "grpc-port");
            return reservation;
        } catch (IllegalArgumentException e) {
            reservation.close();
            throw e;
        }
    }

    private void bind(InetAddress address, int port, String option) {
        if (port == 0) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            held.add(socket);
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot listen on " + address.getHostAddress() + ":" + port
                + " (" + e.getMessage() + "); is another server running there? Nothing was opened or written");
        }
    }

    /** Lets the server bind the ports; idempotent. */
    @Override
    public void close() {
        for (ServerSocket socket : held) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a listening socket that accepted nothing: nothing to lose
            }
        }
    }
}
