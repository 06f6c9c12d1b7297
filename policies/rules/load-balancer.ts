/** Load balancers: plain HTTP only redirects to HTTPS, and HTTPS speaks TLS 1.2 or newer. */
import { asArray, asBoolean, asRecord, asString, type Finding, type ResourcePolicy } from "./model";

const AWS_LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const DO_LOAD_BALANCER = "digitalocean:index/loadBalancer:LoadBalancer";

/**
 * AWS ELB security policies that refuse TLS 1.0 and 1.1: the TLS 1.3 family (TLS13-1-2-*, TLS13-1-3-*),
 * the TLS 1.2 family (TLS-1-2-*) and the forward-secrecy 1.2 family (FS-1-2-*), including FIPS and
 * post-quantum variants. Anything else (notably the provider's default ELBSecurityPolicy-2016-08) is not.
 */
export const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-|$)/;

export function isTls12Policy(name: string): boolean {
  return TLS12_POLICY.test(name);
}

/** Protocol of an AWS listener; AWS defaults an application load balancer's listener to HTTP. */
function listenerProtocol(inputs: Record<string, unknown>): string {
  return (asString(inputs.protocol) ?? "HTTP").toUpperCase();
}

/** True when the action sends the client to HTTPS. */
function redirectsToHttps(action: unknown): boolean {
  const a = asRecord(action);
  return asString(a.type) === "redirect" && (asString(asRecord(a.redirect).protocol) ?? "").toUpperCase() === "HTTPS";
}

export const httpRedirectsToHttps: ResourcePolicy = {
  kind: "resource",
  name: "lb-http-redirects-to-https",
  description: "A load balancer's plain-HTTP listener does nothing but redirect to HTTPS.",
  defaultLevel: "mandatory",
  types: [...AWS_LISTENERS, DO_LOAD_BALANCER],
  check: (r) => {
    if (r.type === DO_LOAD_BALANCER) {
      const httpRules = asArray(r.inputs.forwardingRules).filter((f) => asString(asRecord(f).entryProtocol)?.toLowerCase() === "http");
      if (httpRules.length === 0 || asBoolean(r.inputs.redirectHttpToHttps) === true) return [];
      return [{ message: "a forwarding rule accepts plain HTTP and redirectHttpToHttps is not true", fix: "set redirectHttpToHttps: true (the HTTP rule then only redirects)" }];
    }
    if (listenerProtocol(r.inputs) !== "HTTP") return [];
    const actions = asArray(r.inputs.defaultActions);
    if (actions.length > 0 && actions.every(redirectsToHttps)) return [];
    const types = actions.map((a) => asString(asRecord(a).type) ?? "?").join(", ") || "none";
    return [
      {
        message: `HTTP listener on port ${String(r.inputs.port ?? "?")} has default action(s) ${types} instead of a redirect to HTTPS`,
        fix: 'make its only default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }',
      },
    ];
  },
};

export const httpsTls12: ResourcePolicy = {
  kind: "resource",
  name: "lb-https-tls12",
  description: "HTTPS/TLS listeners use a security policy that refuses TLS versions below 1.2.",
  defaultLevel: "mandatory",
  // DigitalOcean load balancers accept TLS 1.2 and 1.3 only (TLS 1.0/1.1 disabled since 2019-09-15),
  // so only AWS listeners carry a choice to check.
  types: AWS_LISTENERS,
  check: (r) => {
    const protocol = listenerProtocol(r.inputs);
    if (protocol !== "HTTPS" && protocol !== "TLS") return [];
    const policy = asString(r.inputs.sslPolicy);
    if (policy !== undefined && isTls12Policy(policy)) return [];
    const findings: Finding[] = [
      {
        message: `${protocol} listener uses ${policy ?? "the provider default ELBSecurityPolicy-2016-08"}, which allows TLS 1.0/1.1`,
        fix: 'set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another TLS13-1-2/TLS-1-2/FS-1-2 policy)',
      },
    ];
    return findings;
  },
};
