"""Reads a missing ConfigMap and prints what the ApiException carries."""
import json

from kubernetes.client.rest import ApiException

from common import core, emit, load

api_client, namespace = load()
try:
    core(api_client).read_namespaced_config_map("py-missing", namespace)
    emit({"raised": False})
except ApiException as err:
    body = json.loads(err.body)
    emit({
        "raised": True,
        "status": err.status,
        "reason": err.reason,
        "body": {
            "kind": body.get("kind"),
            "status": body.get("status"),
            "reason": body.get("reason"),
            "message": body.get("message"),
            "code": body.get("code"),
        },
    })
