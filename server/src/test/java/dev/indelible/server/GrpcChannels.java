package dev.indelible.server;

import dev.indelible.server.api.LedgerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/** Plain gRPC channels and stubs for tests that need more than {@link IndelibleClient} offers. */
final class GrpcChannels {
    private GrpcChannels() {
    }

    static ManagedChannel open(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static LedgerServiceGrpc.LedgerServiceBlockingStub ledger(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return LedgerServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
