/**
 * Where `/proxy` requests for core/v1 objects go (upstream's ResourceLocation of each):
 * a Service to one of its ready endpoint addresses whose Pod really has that IP, a Pod to
 * its status.podIP, a Node to its InternalIP. Only addresses the stored objects name are
 * ever returned; which of them may be dialled is the proxy handler's rule.
 */
import type { Endpoints, Node, Pod, Service } from '../../../gen/kube/core-v1.js';
import { ApiError, badRequest, notFound } from '../../machinery/errors/index.js';
import type { ProxyRequest, ProxySubresource, ProxyTarget } from '../rest/definition.js';

const scheme = (s: ProxyRequest['scheme'], fallback: 'http' | 'https' = 'http'): 'http' | 'https' => (s === '' ? fallback : s);

function portNumber(port: string, invalid: () => ApiError): number | undefined {
  if (port === '') return undefined;
  const n = /^[0-9]+$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) throw invalid();
  return n;
}

function serviceUnavailable(message: string): ApiError {
  return new ApiError('ServiceUnavailable', message);
}

/** services/[scheme:]NAME[:PORT]/proxy: a ready endpoint of the named (or only) service port. */
export const serviceProxy: ProxySubresource<Service> = {
  optionsKind: 'ServiceProxyOptions',
  async locate(svc, request, lookup): Promise<ProxyTarget> {
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace;
    let portName = request.port;
    // A port number names the service port declaring it; the endpoints carry its name.
    if (/^-?[0-9]+$/.test(portName)) {
      const wanted = Number(portName);
      const declaredPort = (svc.spec?.ports ?? []).find((p) => p.port === wanted);
      if (!declaredPort) throw serviceUnavailable(`no service port ${wanted} found for service ${JSON.stringify(name)}`);
      portName = declaredPort.name ?? '';
    }
    const eps = (await lookup('endpoints', namespace, name)) as Endpoints | undefined;
    if (!eps) throw notFound({ resource: 'endpoints', group: '' }, name);
    for (const subset of eps.subsets ?? []) {
      for (const port of subset.ports ?? []) {
        if ((port.name ?? '') !== portName || port.port === undefined) continue;
        for (const addr of subset.addresses ?? []) {
          if (!addr.ip || !(await addressIsPod(addr.ip, addr.targetRef, namespace, lookup))) continue;
          return { scheme: scheme(request.scheme), host: addr.ip, port: port.port };
        }
      }
    }
    throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(name)}`);
  },
};

/** As upstream: an endpoint address counts only when it names a Pod of the namespace that has that IP. */
async function addressIsPod(
  ip: string,
  ref: { kind?: string; namespace?: string; name?: string } | undefined,
  namespace: string | undefined,
  lookup: Parameters<ProxySubresource['locate']>[2],
): Promise<boolean> {
  if (!ref?.name || ref.namespace !== namespace) return false;
  const pod = (await lookup('pods', namespace, ref.name)) as Pod | undefined;
  if (!pod) return false;
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.includes(ip);
}

/** pods/[scheme:]NAME[:PORT]/proxy: the pod's IP, on the given port or the first declared container port. */
export const podProxy: ProxySubresource<Pod> = {
  optionsKind: 'PodProxyOptions',
  async locate(pod, request): Promise<ProxyTarget> {
    const id = `${pod.metadata?.name ?? ''}`;
    let port = request.port;
    if (port === '') {
      const first = (pod.spec?.containers ?? []).find((c) => (c.ports ?? []).length > 0);
      if (first?.ports?.[0]?.containerPort !== undefined) port = String(first.ports[0].containerPort);
    }
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
    if (!ip) throw badRequest('address not allowed');
    const target: ProxyTarget = { scheme: scheme(request.scheme), host: ip };
    const n = portNumber(port, () => badRequest(`invalid pod request ${JSON.stringify(`${id}:${port}`)}`));
    if (n !== undefined) target.port = n;
    return target;
  },
};

/** The kubelet's port when the node reports none (upstream's default). */
const KUBELET_PORT = 10250;

/** nodes/[scheme:]NAME[:PORT]/proxy: the node's InternalIP; without a port, the kubelet over https. */
export const nodeProxy: ProxySubresource<Node> = {
  optionsKind: 'NodeProxyOptions',
  async locate(node, request): Promise<ProxyTarget> {
    const addresses = node.status?.addresses ?? [];
    const ip = addresses.find((a) => a.type === 'InternalIP')?.address;
    if (!ip) {
      const known = addresses.map((a) => `{${a.type ?? ''} ${a.address ?? ''}}`).join(' ');
      throw new ApiError('InternalError', `no preferred addresses found; known addresses: [${known}]`);
    }
    const kubelet = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || KUBELET_PORT;
    const id = node.metadata?.name ?? '';
    const n = portNumber(request.port, () => badRequest(`invalid node request ${JSON.stringify(`${id}:${request.port}`)}`));
    if (n === undefined || n === kubelet) return { scheme: 'https', host: ip, port: kubelet };
    return { scheme: scheme(request.scheme), host: ip, port: n };
  },
};
