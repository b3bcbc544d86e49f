"""Creates a Deployment with AppsV1Api and lists Deployments (strict model deserialization)."""
from kubernetes import client

from common import emit, load

api_client, namespace = load()
apps = client.AppsV1Api(api_client)

body = {
    "metadata": {"name": "py-web", "labels": {"app": "py-web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "py-web"}},
        "template": {
            "metadata": {"labels": {"app": "py-web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
        },
    },
}
created = apps.create_namespaced_deployment(namespace, body)
listed = apps.list_namespaced_deployment(namespace)
everywhere = apps.list_deployment_for_all_namespaces()
container = listed.items[0].spec.template.spec.containers[0]

emit({
    "created": {
        "type": type(created).__name__,
        "kind": created.kind,
        "apiVersion": created.api_version,
        "name": created.metadata.name,
        "generation": created.metadata.generation,
        "replicas": created.spec.replicas,
    },
    "list": {
        "type": type(listed).__name__,
        "kind": listed.kind,
        "names": [d.metadata.name for d in listed.items],
        "selector": listed.items[0].spec.selector.match_labels,
        "container": [container.name, container.image, container.ports[0].container_port],
        "strategy": listed.items[0].spec.strategy.type,
    },
    "allNamespaces": sorted("%s/%s" % (d.metadata.namespace, d.metadata.name) for d in everywhere.items),
})
