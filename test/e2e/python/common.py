"""Shared set-up for the Python-client e2e scripts: argv parsing, client loading, JSON output."""
import json
import sys

from kubernetes import client, config


def load():
    """Reads `KUBECONFIG_PATH NAMESPACE` from argv and returns (api_client, namespace)."""
    if len(sys.argv) != 3:
        sys.exit("usage: %s KUBECONFIG NAMESPACE" % sys.argv[0])
    kubeconfig, namespace = sys.argv[1], sys.argv[2]
    api_client = config.new_client_from_config(config_file=kubeconfig)
    return api_client, namespace


def core(api_client):
    """A CoreV1Api bound to api_client."""
    return client.CoreV1Api(api_client)


def emit(result):
    """Prints the script's single JSON result on stdout."""
    json.dump(result, sys.stdout, sort_keys=True, default=str)
    sys.stdout.write("\n")
