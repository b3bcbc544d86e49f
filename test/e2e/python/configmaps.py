"""Create, read, patch (strategic merge, the default for a dict body) and delete a ConfigMap."""
from kubernetes.client.rest import ApiException

from common import core, emit, load

api_client, namespace = load()
v1 = core(api_client)
name = "py-cm"

created = v1.create_namespaced_config_map(namespace, {
    "metadata": {"name": name, "labels": {"app": "py"}},
    "data": {"color": "blue", "size": "L"},
})
read = v1.read_namespaced_config_map(name, namespace)
patched = v1.patch_namespaced_config_map(name, namespace, {
    "metadata": {"labels": {"tier": "web"}},
    "data": {"size": None, "shape": "round"},
})
status = v1.delete_namespaced_config_map(name, namespace)
try:
    v1.read_namespaced_config_map(name, namespace)
    after_delete = "still there"
except ApiException as err:
    after_delete = err.status

emit({
    "created": {
        "kind": created.kind,
        "apiVersion": created.api_version,
        "name": created.metadata.name,
        "namespace": created.metadata.namespace,
        "labels": created.metadata.labels,
        "data": created.data,
        "uid": created.metadata.uid,
        "resourceVersion": created.metadata.resource_version,
        "creationTimestampType": type(created.metadata.creation_timestamp).__name__,
    },
    "read": {
        "uid": read.metadata.uid,
        "resourceVersion": read.metadata.resource_version,
        "data": read.data,
    },
    "patched": {
        "labels": patched.metadata.labels,
        "data": patched.data,
        "resourceVersionIncreased": int(patched.metadata.resource_version) > int(read.metadata.resource_version),
    },
    "deleted": {
        "type": type(status).__name__,
        "status": status.status,
        "detailsName": status.details.name if status.details else None,
    },
    "afterDelete": after_delete,
})
