"""A Wheelhouse gRPC client in Python, from stubs protoc generated out of proto/.

Usage: list_watch.py ADDRESS CA_FILE CERT_FILE KEY_FILE NAMESPACE

Connects over TLS (trusting CA_FILE, authenticating with the client certificate) and prints one
JSON line per step: who the server says the caller is (a SelfSubjectReview), the ConfigMaps in
NAMESPACE, then the first event that is not a BOOKMARK of a watch from the list's
resourceVersion.
The generated packages (k8s/..., wheelhouse/...) must be on PYTHONPATH.
"""
import json
import sys

import grpc

from wheelhouse.authentication.v1 import services_pb2 as authentication
from wheelhouse.authentication.v1 import services_pb2_grpc as authentication_grpc
from wheelhouse.core.v1 import services_pb2_grpc
from wheelhouse.meta.v1 import requests_pb2
from k8s.io.api.authentication.v1 import generated_pb2 as authenticationv1
from k8s.io.apimachinery.pkg.apis.meta.v1 import generated_pb2 as meta

WATCH_SECONDS = 60


def summary(config_map):
    """The fields the test compares with what HTTP returns."""
    m = config_map.metadata
    return {
        "name": m.name,
        "namespace": m.namespace,
        "uid": m.uid,
        "resourceVersion": m.resourceVersion,
        "data": dict(config_map.data),
    }


def emit(document):
    print(json.dumps(document, sort_keys=True), flush=True)


def main():
    address, ca_file, cert_file, key_file, namespace = sys.argv[1:6]
    with open(ca_file, "rb") as f:
        ca = f.read()
    with open(cert_file, "rb") as f:
        cert = f.read()
    with open(key_file, "rb") as f:
        key = f.read()
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    with grpc.secure_channel(address, credentials) as channel:
        reviews = authentication_grpc.SelfSubjectReviewServiceStub(channel)
        review = reviews.Create(authentication.CreateSelfSubjectReviewRequest(object=authenticationv1.SelfSubjectReview()), timeout=30)
        user = review.status.userInfo
        emit({"whoami": {"username": user.username, "groups": list(user.groups)}})

        config_maps = services_pb2_grpc.ConfigMapServiceStub(channel)

        listed = config_maps.List(requests_pb2.ListRequest(namespace=namespace), timeout=30)
        emit({
            "list": {
                "resourceVersion": listed.metadata.resourceVersion,
                "items": [summary(item) for item in listed.items],
            }
        })

        options = meta.ListOptions(resourceVersion=listed.metadata.resourceVersion, allowWatchBookmarks=True)
        events = config_maps.Watch(requests_pb2.ListRequest(namespace=namespace, options=options), timeout=WATCH_SECONDS)
        for event in events:
            if event.type == "BOOKMARK":
                continue
            emit({"event": {"type": event.type, "object": summary(event.object)}})
            events.cancel()
            return 0
    print("the watch ended without an event", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
