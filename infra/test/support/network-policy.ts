// A small evaluator of Kubernetes NetworkPolicy semantics, enough to ask "may A
// open a TCP/UDP connection to B on port P?" of the rendered manifests:
// isolation only where a policy selects the pod for that direction, rules
// additive, peers by podSelector / namespaceSelector / ipBlock, named ports
// resolved on the destination pod.
import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from 'kubernetes-models/networking.k8s.io/v1';

type ILabelSelector = NonNullable<INetworkPolicyPeer['podSelector']>;

export type Protocol = 'TCP' | 'UDP';

export interface Pod {
  kind: 'pod';
  namespace: string;
  labels: Record<string, string>;
  ip: string;
  /** Named container ports: name -> number. */
  ports: Record<string, number>;
}

export interface External {
  kind: 'external';
  ip: string;
}

export type Endpoint = Pod | External;

export function selects(
  selector: ILabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key];
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${expr.operator}`);
    }
  }
  return true;
}

function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return parts.reduce((acc, part) => acc * 256 + part, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits)) throw new Error(`not a CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipToNumber(base) / size) * size;
  const value = ipToNumber(ip);
  return value >= start && value < start + size;
}

export interface Namespaces {
  [name: string]: Record<string, string>;
}

function peerMatches(
  peer: INetworkPolicyPeer,
  policyNamespace: string,
  other: Endpoint,
  namespaces: Namespaces,
): boolean {
  if (peer.ipBlock !== undefined) {
    // ipBlock is meant for traffic outside the cluster; pods are matched by selectors.
    if (other.kind !== 'external') return false;
    if (!inCidr(other.ip, peer.ipBlock.cidr)) return false;
    return !(peer.ipBlock.except ?? []).some((except) => inCidr(other.ip, except));
  }
  if (other.kind !== 'pod') return false;
  if (peer.namespaceSelector !== undefined) {
    const nsLabels = namespaces[other.namespace] ?? {
      'kubernetes.io/metadata.name': other.namespace,
    };
    if (!selects(peer.namespaceSelector, nsLabels)) return false;
  } else if (other.namespace !== policyNamespace) {
    return false;
  }
  return selects(peer.podSelector, other.labels);
}

function portMatches(
  ports: INetworkPolicyPort[] | undefined,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') {
      return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
    }
    return destination.kind === 'pod' && destination.ports[p.port] === port;
  });
}

export class PolicySet {
  constructor(
    private readonly policies: readonly INetworkPolicy[],
    private readonly namespaces: Namespaces,
  ) {}

  private selecting(pod: Pod, direction: 'Ingress' | 'Egress'): INetworkPolicy[] {
    return this.policies.filter((policy) => {
      const namespace = policy.metadata?.namespace ?? 'default';
      if (namespace !== pod.namespace) return false;
      const types = policy.spec?.policyTypes ?? (direction === 'Ingress' ? ['Ingress'] : []);
      return types.includes(direction) && selects(policy.spec?.podSelector, pod.labels);
    });
  }

  private egressAllowed(
    source: Pod,
    destination: Endpoint,
    port: number,
    protocol: Protocol,
  ): boolean {
    const policies = this.selecting(source, 'Egress');
    if (policies.length === 0) return true;
    return policies.some((policy) =>
      (policy.spec?.egress ?? []).some(
        (rule) =>
          (rule.to === undefined ||
            rule.to.length === 0 ||
            rule.to.some((peer) =>
              peerMatches(peer, source.namespace, destination, this.namespaces),
            )) &&
          portMatches(rule.ports, destination, port, protocol),
      ),
    );
  }

  private ingressAllowed(
    source: Endpoint,
    destination: Pod,
    port: number,
    protocol: Protocol,
  ): boolean {
    const policies = this.selecting(destination, 'Ingress');
    if (policies.length === 0) return true;
    return policies.some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          (rule.from === undefined ||
            rule.from.length === 0 ||
            rule.from.some((peer) =>
              peerMatches(peer, destination.namespace, source, this.namespaces),
            )) &&
          portMatches(rule.ports, destination, port, protocol),
      ),
    );
  }

  allows(
    source: Endpoint,
    destination: Endpoint,
    port: number,
    protocol: Protocol = 'TCP',
  ): boolean {
    if (destination.kind === 'pod' && !Object.values(destination.ports).includes(port)) {
      // Nothing listens there; a policy question about it is a mistake in the test.
      throw new Error(`destination pod ${JSON.stringify(destination.labels)} has no port ${port}`);
    }
    const egress =
      source.kind === 'pod' ? this.egressAllowed(source, destination, port, protocol) : true;
    const ingress =
      destination.kind === 'pod' ? this.ingressAllowed(source, destination, port, protocol) : true;
    return egress && ingress;
  }
}
