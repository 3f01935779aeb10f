#!/usr/bin/python3
"""One selfie to Indelible over gRPC with Debian's python3-grpcio and python3-grpc-tools.

  apt-get install python3-grpcio python3-grpc-tools
  INDELIBLE_TOKEN=idl_... /usr/bin/python3 grpc_selfies.py [--host 127.0.0.1] [--port 7172]

Generates the stubs from the repository's protos into a temporary directory, then appends a
selfie.submitted with an event_id, retries it (answered duplicate=true at the same position),
subscribes from 0 until it arrives, and asks the health service (which needs no token).
"""
import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import uuid

import grpc

REPO = pathlib.Path(__file__).resolve().parents[2]
PROTO_DIRS = [REPO / "server/src/main/proto", REPO / "projections/src/main/proto", REPO / "examples/proto"]
PROTOS = ["indelible/api/v1/ledger_service.proto", "indelible/domain/v1/events.proto", "grpc_health/v1/health.proto"]


def generate_stubs(into):
    """The *_pb2 modules, from the .proto files with grpc_tools' protoc."""
    includes = [f"-I{d}" for d in PROTO_DIRS]
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", *includes, f"--python_out={into}",
                    f"--grpc_python_out={into}", *PROTOS], check=True)
    sys.path.insert(0, into)
    from indelible.api.v1 import ledger_service_pb2, ledger_service_pb2_grpc
    from indelible.domain.v1 import events_pb2
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    return ledger_service_pb2, ledger_service_pb2_grpc, events_pb2, health_pb2, health_pb2_grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("INDELIBLE_GRPC_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("INDELIBLE_GRPC_PORT", "7172")))
    parser.add_argument("--token", default=os.environ.get("INDELIBLE_TOKEN"))
    args = parser.parse_args()
    if not args.token:
        sys.exit("set INDELIBLE_TOKEN or --token (indelible token create ...)")

    with tempfile.TemporaryDirectory(prefix="indelible-grpc-") as stubs:
        api, api_grpc, domain, health, health_grpc = generate_stubs(stubs)
        auth = [("authorization", f"Bearer {args.token}")]
        with grpc.insecure_channel(f"{args.host}:{args.port}") as channel:
            ledger = api_grpc.LedgerServiceStub(channel)
            user_id = 1201911108
            event_id = str(uuid.uuid4())
            selfie = {"user_id": user_id, "media_type": "photo", "file_id": f"py-grpc-{event_id}",
                      "submitted_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
            request = api.AppendRequest(stream=f"selfies-user-{user_id}", events=[api.NewEvent(
                type="selfie.submitted", event_id=event_id, content_type=api.JSON,
                payload=json.dumps(selfie).encode("utf-8"))])

            first = ledger.Append(request, metadata=auth, timeout=30)
            retry = ledger.Append(request, metadata=auth, timeout=30)  # as after a timeout: safe, same event_id
            if first.duplicate or not retry.duplicate or retry.first_global_seq != first.first_global_seq:
                sys.exit(f"the retry was not answered as a duplicate at {first.first_global_seq}: {retry}")

            events = ledger.Subscribe(api.SubscribeRequest(from_global_seq=0), metadata=auth, timeout=30)
            received = next(e for e in events if e.event_id == event_id)
            events.cancel()
            # a domain type posted as JSON is stored as its Protobuf message, checked like any other
            stored = domain.SelfieSubmitted.FromString(received.payload)
            if received.content_type != api.PROTOBUF or stored.file_id != selfie["file_id"]:
                sys.exit(f"the subscribed event is not the selfie: {received}")

            answer = health_grpc.HealthStub(channel).Check(health.HealthCheckRequest(service=""), timeout=30)  # no token
            status = health.HealthCheckResponse.ServingStatus.Name(answer.status)
            print(f"python grpc: appended {event_id} at global_seq {first.first_global_seq}; retry duplicate="
                  f"{retry.duplicate} at {retry.first_global_seq}; subscribe received it at {received.global_seq}; "
                  f"health {status}")
            if status != "SERVING":
                sys.exit(1)


if __name__ == "__main__":
    main()
