"""Lists namespaces with CoreV1Api and prints their names and list metadata."""
from common import core, emit, load

api_client, _ = load()
result = core(api_client).list_namespace()
emit({
    "kind": result.kind,
    "apiVersion": result.api_version,
    "resourceVersionIsDigits": (result.metadata.resource_version or "").isdigit(),
    "names": sorted(item.metadata.name for item in result.items),
    "phases": sorted({item.status.phase for item in result.items}),
})
