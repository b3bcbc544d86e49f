"""Watches ConfigMaps from a list resourceVersion while another thread creates one."""
import threading
import time

from kubernetes import watch

from common import core, emit, load

api_client, namespace = load()
v1 = core(api_client)
name = "py-watched"

# An object that predates the list must not come back as an ADDED event.
v1.create_namespaced_config_map(namespace, {"metadata": {"name": "py-before"}, "data": {"k": "old"}})
rv = v1.list_namespaced_config_map(namespace).metadata.resource_version


def create_later():
    time.sleep(0.5)
    v1.create_namespaced_config_map(namespace, {"metadata": {"name": name}, "data": {"k": "v"}})


creator = threading.Thread(target=create_later)
creator.start()

events = []
bookmarks = 0
w = watch.Watch()
started = time.monotonic()
for event in w.stream(v1.list_namespaced_config_map, namespace, resource_version=rv,
                      timeout_seconds=5, allow_watch_bookmarks=True):
    if event["type"] == "BOOKMARK":
        bookmarks += 1
        continue
    obj = event["object"]
    events.append([event["type"], type(obj).__name__, obj.metadata.name, obj.data])
    if event["type"] == "ADDED" and obj.metadata.name == name:
        w.stop()
creator.join()

emit({
    "events": events,
    "stoppedEarly": time.monotonic() - started < 4.5,
})
