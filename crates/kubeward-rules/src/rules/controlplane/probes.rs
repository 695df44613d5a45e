//! Live probe findings of `kubeward probe` (CP2xx): what an unauthenticated client on the
//! network can do against the API server, kubelets and etcd, and what their TLS endpoints
//! present. [`PROBES`] maps the engine's finding ids to these rules; findings that are good
//! signs or plain facts (`probe.etcd.client-cert-required`, `probe.tls.negotiated`) have no
//! rule and appear only in the probe results.

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe, mitre};

cp_rule! {
    pub static ETCD_PLAIN_HTTP = "CP200" "etcd-plain-http" Critical;
    compliance: [cis("2.1"), cis("2.2"), cwe("CWE-319"), mitre("T1552")],
    summary: "Reports an etcd client endpoint that answers over plain HTTP.",
    what: "`kubeward probe --etcd URL` sends `GET /version` to the endpoint, first over TLS and then over plain HTTP; an answer over plain HTTP fires this rule. The evidence names the status code and the etcd version, never a key or value.",
    why: "etcd holds every object of the cluster, Secrets included, unencrypted unless an EncryptionConfiguration is set. Over plain HTTP there is neither transport encryption nor client authentication: anyone who reaches the port reads and writes the whole cluster state, which is cluster-admin and more.",
    fix: "Serve clients over TLS only: set --cert-file, --key-file, --client-cert-auth=true and --trusted-ca-file, and use https:// in --listen-client-urls and --advertise-client-urls.",
    exceptions: "None for a reachable address. A development etcd bound to 127.0.0.1 on a single-node test cluster may be accepted with `--ignore CP200`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendations 2.1 and 2.2", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_NO_CLIENT_CERT_AUTH = "CP201" "etcd-no-client-cert-auth" High;
    compliance: [cis("2.2"), cwe("CWE-306")],
    summary: "Reports an etcd TLS endpoint that answers a client that presents no certificate.",
    what: "The probe completes a TLS handshake without a client certificate and sends `GET /version`; an HTTP 200 fires this rule (the endpoint runs with --client-cert-auth=false).",
    why: "Without client certificate authentication TLS only hides the traffic: any process that reaches the port is a fully trusted etcd client and can read every Secret or rewrite RBAC objects directly in the datastore, bypassing the API server, its authorization and its audit log.",
    fix: "Set --client-cert-auth=true and --trusted-ca-file to the etcd CA (kubeadm: /etc/kubernetes/pki/etcd/ca.crt), then give the API server --etcd-certfile, --etcd-keyfile and --etcd-cafile.",
    exceptions: "None. etcd's own health checks can use a client certificate too (`etcdctl --cert --key`).",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.2", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_KEYS_READABLE = "CP202" "etcd-keys-readable-unauthenticated" Critical;
    compliance: [cis("2.2"), cwe("CWE-306"), mitre("T1552")],
    summary: "Reports an etcd endpoint that lets an unauthenticated client read keys.",
    what: "After `/version` answered, the probe sends one read-only `POST /v3/kv/range` for the harmless key `kubeward-probe` (the gRPC gateway); an HTTP 200 fires this rule. The response body is never read.",
    why: "A successful range request proves that the whole keyspace, `/registry/secrets/...` included, is readable by anyone on the network: service account tokens, cloud credentials and TLS keys stored in Secrets are exposed.",
    fix: "Set --client-cert-auth=true with --trusted-ca-file (and serve clients over TLS); rotate every Secret that may have been read.",
    exceptions: "None.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.2", "etcd v3 gRPC gateway: https://etcd.io/docs/v3.5/dev-guide/api_grpc_gateway/"],
}

cp_rule! {
    pub static APISERVER_INSECURE_PORT = "CP210" "apiserver-insecure-port" Critical;
    compliance: [cis("1.2.1"), cwe("CWE-306"), cwe("CWE-319")],
    summary: "Reports an API server that answers over plain HTTP.",
    what: "`kubeward probe --apiserver http://HOST:PORT` sends `GET /version` over plain HTTP; a Kubernetes version document in the answer fires this rule.",
    why: "The insecure port (removed in Kubernetes 1.20, still found behind old proxies and `kubectl proxy` left listening on all interfaces) skips authentication and authorization: every request is cluster-admin.",
    fix: "Remove --insecure-port/--insecure-bind-address (old versions), or stop the proxy that exposes the API without authentication; serve only the TLS port.",
    exceptions: "A `kubectl proxy` bound to 127.0.0.1 on a workstation is local by design; do not probe it.",
    references: ["kube-apiserver reference: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/", "Controlling access to the Kubernetes API: https://kubernetes.io/docs/concepts/security/controlling-access/"],
}

cp_rule! {
    pub static APISERVER_ANONYMOUS_LIST = "CP211" "apiserver-anonymous-list" High;
    compliance: [cis("1.2.1"), cis("1.2.6"), cwe("CWE-862"), mitre("T1613")],
    summary: "Reports API server resources that anonymous requests can list.",
    what: "The probe lists namespaces, pods, nodes, configmaps and secrets (`?limit=1`) without credentials and reads only the status line; each HTTP 200 is a finding (critical for secrets).",
    why: "Anonymous requests run as `system:anonymous` in group `system:unauthenticated`. A binding that grants them list access (often a `ClusterRoleBinding` to `system:unauthenticated` made while debugging, or --authorization-mode=AlwaysAllow) hands the cluster's inventory, configuration and possibly its Secrets to anyone who reaches the port.",
    fix: "Set --anonymous-auth=false, or remove every RoleBinding/ClusterRoleBinding whose subjects include `system:anonymous` or `system:unauthenticated` (`kubeward rbac who-can list secrets`); never use AlwaysAllow.",
    exceptions: "None: anonymous access is only legitimate for health and discovery endpoints.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendations 1.2.1 and 1.2.6", "Anonymous requests: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests"],
}

cp_rule! {
    pub static APISERVER_ANONYMOUS_DISCOVERY = "CP212" "apiserver-anonymous-discovery" Low;
    compliance: [cis("1.2.1"), mitre("T1613")],
    summary: "Reports an API server whose discovery endpoints (`/api`, `/apis`) answer anonymous requests.",
    what: "The probe sends `GET /api` and `GET /apis` without credentials; an HTTP 200 fires this rule.",
    why: "Discovery tells an attacker which API groups, CRDs and versions exist (installed operators, admission webhooks) without any credential. The default `system:public-info-viewer` and `system:discovery` roles allow it when anonymous authentication is on.",
    fix: "Set --anonymous-auth=false, or restrict anonymous requests to /healthz, /livez and /readyz with an AuthenticationConfiguration `anonymous.conditions`.",
    exceptions: "Clusters that must serve discovery to unauthenticated clients (rare) can accept it with `--ignore CP212`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.1", "Anonymous authenticator configuration: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-authenticator-configuration"],
}

cp_rule! {
    pub static APISERVER_VERSION_DISCLOSED = "CP213" "apiserver-version-disclosed" Low;
    compliance: [cis("1.2.1"), cwe("CWE-200")],
    summary: "Reports an API server that discloses its exact version to anonymous requests.",
    what: "The probe sends `GET /version` without credentials; an HTTP 200 with a `gitVersion` fires this rule and the version is the evidence.",
    why: "The exact version lets an attacker pick the CVEs that apply to this control plane without sending anything suspicious.",
    fix: "Set --anonymous-auth=false, or restrict anonymous requests to health endpoints with an AuthenticationConfiguration `anonymous.conditions`.",
    exceptions: "Most clusters expose `/version` through `system:public-info-viewer`; accept it with `--ignore CP213` if anonymous access is otherwise locked down.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.1", "Default roles (system:public-info-viewer): https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles"],
}

cp_rule! {
    pub static APISERVER_ANONYMOUS_AUTH = "CP214" "apiserver-anonymous-auth-reachable" Low;
    compliance: [cis("1.2.1"), cwe("CWE-306")],
    summary: "Reports an API server that accepts anonymous authentication (answers 403, not 401, to requests without credentials).",
    what: "The probe reads the status codes of unauthenticated requests: 403 means the request was authenticated as `system:anonymous` and then denied, 401 that anonymous authentication is off. It fires when anonymous authentication is on but nothing probed was listable.",
    why: "Every request without credentials reaches the authorizers as `system:anonymous`; one careless binding to `system:unauthenticated` then opens the API to the network.",
    fix: "Set --anonymous-auth=false (kubeadm: `apiServer.extraArgs`), or restrict anonymous requests to health endpoints with an AuthenticationConfiguration.",
    exceptions: "Load balancers that health-check `/healthz` anonymously need anonymous access to that path only; use `anonymous.conditions` rather than `--ignore CP214`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.1", "Anonymous requests: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests"],
}

cp_rule! {
    pub static KUBELET_ANONYMOUS_ACCESS = "CP220" "kubelet-anonymous-access" Critical;
    compliance: [cis("4.2.1"), cis("4.2.2"), cwe("CWE-306"), mitre("T1609")],
    summary: "Reports a kubelet whose API (`:10250/pods`) answers anonymous requests.",
    what: "`kubeward probe --kubelet URL` sends `GET /pods` without credentials and reads only the status line; an HTTP 200 fires this rule.",
    why: "The kubelet API with anonymous authentication and `AlwaysAllow` authorization lets anyone on the network list the node's pods and run commands in any container through `/run` and `/exec`: remote code execution on every workload of the node, and usually the node itself.",
    fix: "In the kubelet config set `authentication: {anonymous: {enabled: false}, webhook: {enabled: true}}` and `authorization: {mode: Webhook}`, then restart the kubelet.",
    exceptions: "None.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendations 4.2.1 and 4.2.2", "Kubelet authentication/authorization: https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
}

cp_rule! {
    pub static KUBELET_ANONYMOUS_AUTH = "CP221" "kubelet-anonymous-auth-reachable" Medium;
    compliance: [cis("4.2.1"), cwe("CWE-306")],
    summary: "Reports a kubelet that accepts anonymous authentication (answers 403, not 401).",
    what: "`GET /pods` without credentials returned 403: the request was authenticated as `system:anonymous` and only the authorizer stopped it.",
    why: "The kubelet's webhook authorizer asks the API server about `system:anonymous`; a single RBAC binding granting `nodes/proxy` to unauthenticated users then turns into command execution in every pod of the node.",
    fix: "Set `authentication: {anonymous: {enabled: false}}` in the kubelet config (or --anonymous-auth=false), then restart the kubelet.",
    exceptions: "None.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.1", "Kubelet authentication/authorization: https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
}

cp_rule! {
    pub static KUBELET_READ_ONLY_PORT = "CP222" "kubelet-read-only-port-open" High;
    compliance: [cis("4.2.4"), cwe("CWE-306"), mitre("T1613")],
    summary: "Reports a kubelet read-only port (`:10255`) that serves pod specs without authentication.",
    what: "`kubeward probe --kubelet-readonly URL` sends `GET /pods` over plain HTTP; an HTTP 200 fires this rule. The body (pod specs) is not read.",
    why: "The read-only port has no authentication at all. Pod specs list images, commands, mounted volumes and environment variables, which often carry credentials written as literals.",
    fix: "Set `readOnlyPort: 0` in the kubelet config (or --read-only-port=0), then restart the kubelet.",
    exceptions: "Old monitoring agents scrape :10255; move them to the authenticated port 10250 with a service account token.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.4", "KubeletConfiguration readOnlyPort: https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
}

cp_rule! {
    pub static TLS_SELF_SIGNED = "CP230" "tls-certificate-self-signed" Medium;
    compliance: [cwe("CWE-295")],
    summary: "Reports a TLS endpoint whose certificate is self-signed.",
    what: "The probe records the certificate presented in the handshake; a certificate whose issuer equals its subject and whose signature verifies with its own key fires this rule.",
    why: "Clients cannot verify a self-signed certificate against a CA, so they either skip verification (and accept any man in the middle) or pin it by hand. Kubelets without serverTLSBootstrap serve such certificates, which is why the API server then cannot use --kubelet-certificate-authority.",
    fix: "Issue the serving certificate from the cluster CA: for kubelets set `serverTLSBootstrap: true` and approve the CSRs; for etcd and the API server use the kubeadm PKI (`kubeadm certs renew`).",
    exceptions: "Endpoints probed by a name or IP that only a private CA covers are not self-signed; those are reported by CP233 instead.",
    references: ["PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/", "Kubelet serving certificates: https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/"],
}

cp_rule! {
    pub static TLS_EXPIRED = "CP231" "tls-certificate-expired" High;
    compliance: [cwe("CWE-298")],
    summary: "Reports a TLS endpoint whose certificate has expired.",
    what: "The probe compares the certificate's notAfter with the current time.",
    why: "Clients that verify certificates refuse to connect (an outage); clients that keep working are therefore not verifying, and accept any certificate an attacker presents.",
    fix: "Renew the certificate (`kubeadm certs renew all` on kubeadm clusters, or rotateCertificates for kubelets) and restart the component.",
    exceptions: "None.",
    references: ["Certificate management with kubeadm: https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/"],
}

cp_rule! {
    pub static TLS_NOT_YET_VALID = "CP232" "tls-certificate-not-yet-valid" Medium;
    compliance: [cwe("CWE-298")],
    summary: "Reports a TLS endpoint whose certificate is not valid yet.",
    what: "The probe compares the certificate's notBefore with the current time.",
    why: "A certificate from the future points at a wrong clock on the server or the CA; verifying clients refuse it, and clock skew also breaks token expiry checks.",
    fix: "Synchronise clocks (NTP) on the control-plane nodes and reissue the certificate.",
    exceptions: "None.",
    references: ["Certificate management with kubeadm: https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/"],
}

cp_rule! {
    pub static TLS_NAME_MISMATCH = "CP233" "tls-certificate-name-mismatch" Medium;
    compliance: [cwe("CWE-297")],
    summary: "Reports a TLS endpoint whose certificate does not cover the host name or IP that was dialled.",
    what: "The probe matches the dialled host against the certificate's DNS and IP subject alternative names (a wildcard covers exactly one label).",
    why: "Clients that reach the endpoint under this name must disable host name verification to connect, which lets any certificate from the same CA (or any certificate at all) impersonate the endpoint.",
    fix: "Reissue the certificate with the name or IP as a SAN (kubeadm: `apiServer.certSANs`, etcd: `etcd.local.serverCertSANs`), or connect through a name the certificate covers.",
    exceptions: "Probing by an internal IP that clients never use is expected to mismatch; probe the address clients use, or accept it with `--ignore CP233`.",
    references: ["PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static TLS_UNTRUSTED_ISSUER = "CP234" "tls-certificate-untrusted-issuer" Medium;
    compliance: [cwe("CWE-295")],
    summary: "Reports a TLS endpoint whose certificate chain does not verify against the CA given with `--cacert`.",
    what: "With `kubeward probe --cacert FILE`, the presented chain is verified against the CA certificates in FILE with WebPKI (signatures, validity, CA constraints; a host-name mismatch is reported separately by CP233); a chain that does not verify fires this rule, with the verifier's reason as evidence.",
    why: "Clients that trust the cluster CA cannot verify this endpoint, so it is either a different service than expected, a man in the middle, or configured with a stray certificate that clients will reject after the next restart.",
    fix: "Serve a certificate issued by the cluster CA (kubeadm PKI), or pass the CA that actually issues this endpoint's certificates.",
    exceptions: "Endpoints that use a separate CA on purpose (etcd with its own CA, CIS 2.7) need that CA in `--cacert`.",
    references: ["PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static PROBE_UNREACHABLE = "CP240" "probe-endpoint-unreachable" Info;
    compliance: [],
    summary: "Reports an endpoint that could not be probed: connection refused, timed out, or closed without an answer.",
    what: "Every probe step has a timeout (`--timeout`); an endpoint that refuses, hangs or closes the connection gets this finding instead of results, so an unreachable endpoint never looks like a secure one.",
    why: "An endpoint that could not be probed was not checked. It may be firewalled from the probing host (good) or merely down or slow; the result says which step failed.",
    fix: "Probe from a host that can reach the endpoint, check the URL and port, or raise `--timeout` for slow networks.",
    exceptions: "Endpoints that are expected to be closed (a read-only port set to 0) produce this finding by design; it is informational.",
    references: ["kubeward probe: `kubeward probe --help`"],
}

cp_rule! {
    pub static PROBE_UNEXPECTED_PROTOCOL = "CP241" "probe-unexpected-protocol" Low;
    compliance: [],
    summary: "Reports an endpoint that answers with something other than the protocol expected (not HTTP, or not TLS).",
    what: "The probe records the first bytes of an answer that is not an HTTP/1.x response, or a TLS handshake that fails because the peer speaks plain text.",
    why: "Either the URL points at the wrong service, or the component listens without the transport security it should have; in both cases the expected component was not checked.",
    fix: "Check that the URL names the component's port (API server 6443, kubelet 10250, etcd 2379) and that the component serves TLS there.",
    exceptions: "None.",
    references: ["Ports and protocols: https://kubernetes.io/docs/reference/networking/ports-and-protocols/"],
}

/// Probe finding id of the engine -> its rule. Ids missing here are facts or good signs.
pub static PROBES: &[(&str, &crate::Rule)] = &[
    ("probe.etcd.plain-http", &ETCD_PLAIN_HTTP),
    ("probe.etcd.no-client-cert-auth", &ETCD_NO_CLIENT_CERT_AUTH),
    ("probe.etcd.data-readable", &ETCD_KEYS_READABLE),
    ("probe.apiserver.insecure-port", &APISERVER_INSECURE_PORT),
    ("probe.apiserver.anonymous-list", &APISERVER_ANONYMOUS_LIST),
    (
        "probe.apiserver.discovery-open",
        &APISERVER_ANONYMOUS_DISCOVERY,
    ),
    (
        "probe.apiserver.version-disclosed",
        &APISERVER_VERSION_DISCLOSED,
    ),
    (
        "probe.apiserver.anonymous-enabled",
        &APISERVER_ANONYMOUS_AUTH,
    ),
    ("probe.kubelet.anonymous-pods", &KUBELET_ANONYMOUS_ACCESS),
    ("probe.kubelet.anonymous-enabled", &KUBELET_ANONYMOUS_AUTH),
    ("probe.kubelet.read-only-port", &KUBELET_READ_ONLY_PORT),
    ("probe.tls.self-signed", &TLS_SELF_SIGNED),
    ("probe.tls.expired", &TLS_EXPIRED),
    ("probe.tls.not-yet-valid", &TLS_NOT_YET_VALID),
    ("probe.tls.name-mismatch", &TLS_NAME_MISMATCH),
    ("probe.tls.untrusted-issuer", &TLS_UNTRUSTED_ISSUER),
    ("probe.unreachable", &PROBE_UNREACHABLE),
    ("probe.timeout", &PROBE_UNREACHABLE),
    ("probe.closed", &PROBE_UNREACHABLE),
    ("probe.error", &PROBE_UNREACHABLE),
    ("probe.not-http", &PROBE_UNEXPECTED_PROTOCOL),
    ("probe.not-tls", &PROBE_UNEXPECTED_PROTOCOL),
];
