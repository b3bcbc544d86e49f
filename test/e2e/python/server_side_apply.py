"""Server-side apply through the dynamic client: create, update, a conflict, then force."""
import json
import os
import tempfile

from kubernetes import dynamic
from kubernetes.dynamic.exceptions import ConflictError

from common import emit, load

api_client, namespace = load()
client = dynamic.DynamicClient(api_client, cache_file=os.path.join(tempfile.mkdtemp(), "discovery.json"))
configmaps = client.resources.get(api_version="v1", kind="ConfigMap")


def manifest(data):
    """An apply configuration as YAML text (22.6.0 sends a str body as is for this content type)."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: py-ssa", "  namespace: " + namespace, "data:"]
    lines += ["  %s: %s" % (k, v) for k, v in data.items()]
    return "\n".join(lines) + "\n"


def summary(obj):
    d = obj.to_dict()
    return {"data": d.get("data"), "managedFields": d["metadata"].get("managedFields")}


def apply(data, manager, **kwargs):
    return configmaps.server_side_apply(body=manifest(data), name="py-ssa", namespace=namespace, field_manager=manager, **kwargs)


out = {}
out["created"] = summary(apply({"color": "blue"}, "py"))
out["updated"] = summary(apply({"color": "green", "size": "L"}, "py"))
try:
    apply({"color": "red"}, "py-other")
    out["conflict"] = {"raised": False}
except ConflictError as err:
    out["conflict"] = {"raised": True, "status": err.status, "body": json.loads(err.body)}
out["forced"] = summary(apply({"color": "red"}, "py-other", force_conflicts=True))
emit(out)
