"""Lists a namespace's pods in one request and prints their count and first and last names."""
from common import core, emit, load

api_client, namespace = load()
result = core(api_client).list_namespaced_pod(namespace)
names = [item.metadata.name for item in result.items]
emit({
    "kind": result.kind,
    "count": len(names),
    "first": names[0] if names else None,
    "last": names[-1] if names else None,
})
