//! Parsing and validating `networking.k8s.io/v1` NetworkPolicy objects.

use std::sync::Arc;

use kubeward_yaml::{Node, path_index, path_join};
use serde::{Deserialize, Serialize};

use crate::SourceId;
use crate::ip::{Cidr, Family};
use crate::ports::{MAX_PORT, MIN_PORT, Protocol};
use crate::selector::Selector;

/// Identifies a NetworkPolicy: namespace, name and the source it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Namespace (`default` when the object has none).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The opaque source id the caller passed with the object.
    pub source: SourceId,
    /// Field path of the policy object inside what the caller passed (empty for the root;
    /// `items[3]` for an element of a `List`).
    pub path: String,
}

/// How serious a [`PolicyIssue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueSeverity {
    /// The API server rejects the policy: it is left out of every computation.
    Error,
    /// Accepted but surprising (ignored rules, host bits in a CIDR).
    Warning,
}

/// A located problem in a NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolicyIssue {
    /// The policy.
    pub policy: PolicyRef,
    /// Field path relative to the policy object (`spec.ingress[0].from[1].ipBlock.cidr`).
    pub path: String,
    /// Error or warning.
    pub severity: IssueSeverity,
    /// What is wrong.
    pub message: String,
}

/// Collects located problems while parsing.
#[derive(Debug, Default)]
pub(crate) struct IssueSink {
    pub errors: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
}

impl IssueSink {
    pub(crate) fn error(&mut self, path: &str, msg: String) {
        self.errors.push((path.to_string(), msg));
    }
    pub(crate) fn warn(&mut self, path: &str, msg: String) {
        self.warnings.push((path.to_string(), msg));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct IpBlock {
    pub family: Family,
    pub lo: u128,
    pub hi: u128,
    pub prefix: u8,
    pub except: Vec<(u128, u128)>,
}

impl IpBlock {
    pub(crate) fn contains(&self, family: Family, v: u128) -> bool {
        family == self.family
            && self.lo <= v
            && v <= self.hi
            && !self.except.iter().any(|&(a, b)| a <= v && v <= b)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PeerKind {
    /// `podSelector` and/or `namespaceSelector` (`None` = field absent).
    Pods {
        ns: Option<Selector>,
        pods: Option<Selector>,
    },
    Block(IpBlock),
}

#[derive(Debug, Clone)]
pub(crate) struct Peer {
    pub path: String,
    pub kind: PeerKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PortSpec {
    /// `port` absent: every port of the protocol.
    Any(Protocol),
    /// A number or `port`..=`endPort`.
    Range(Protocol, u16, u16),
    /// A named container port of the destination pod.
    Named(Protocol, String),
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub path: String,
    /// `None`: `from`/`to` absent or empty, every peer (pods and addresses) matches.
    pub peers: Option<Vec<Peer>>,
    /// `None`: `ports` absent or empty, every port and protocol.
    pub ports: Option<Vec<(String, PortSpec)>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub r: Arc<PolicyRef>,
    pub pod_selector: Selector,
    pub ingress_type: bool,
    pub egress_type: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

/// IANA service name rules used for named ports (`IsValidPortName`).
pub(crate) fn is_valid_port_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 15
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.iter().any(u8::is_ascii_lowercase)
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Parses a NetworkPolicy object. Returns the policy when the API server would accept it, and
/// every issue found.
pub(crate) fn parse_policy(
    node: &Node,
    source: SourceId,
    obj_path: &str,
) -> (Option<Policy>, Vec<PolicyIssue>) {
    let meta = node.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_string)
        .map_or_else(String::new, std::borrow::Cow::into_owned);
    let namespace = crate::object_namespace(node);
    let r = Arc::new(PolicyRef {
        namespace,
        name,
        source,
        path: obj_path.to_string(),
    });
    let mut sink = IssueSink::default();
    if r.name.is_empty() {
        sink.error("metadata.name", "name is required".to_string());
    } else if !crate::selector::is_dns_subdomain(&r.name) {
        sink.error(
            "metadata.name",
            format!(
                "`{}` is not a valid name (a lowercase RFC 1123 subdomain)",
                r.name
            ),
        );
    }
    let spec = node.get("spec").unwrap_or(&kubeward_yaml::NULL);
    if !spec.is_null() && !spec.is_map() {
        sink.error(
            "spec",
            format!("must be a mapping, found {}", spec.type_name()),
        );
    }
    let pod_selector = Selector::parse(
        spec.get("podSelector").unwrap_or(&kubeward_yaml::NULL),
        "spec.podSelector",
        &mut sink,
    );

    let ingress = parse_rules(spec, "ingress", "from", &mut sink);
    let egress = parse_rules(spec, "egress", "to", &mut sink);

    // policyTypes: defaulted when empty (Ingress always, Egress when egress rules exist).
    let mut ingress_type = false;
    let mut egress_type = false;
    let types: Vec<&Node> = spec
        .get("policyTypes")
        .map(|t| t.items().collect())
        .unwrap_or_default();
    if let Some(t) = spec
        .get("policyTypes")
        .filter(|t| !t.is_null() && !t.is_seq())
    {
        sink.error(
            "spec.policyTypes",
            format!("must be a list, found {}", t.type_name()),
        );
    }
    if types.len() > 2 {
        sink.error(
            "spec.policyTypes",
            "may not contain more than 2 values (Ingress, Egress)".to_string(),
        );
    }
    for (i, t) in types.iter().enumerate() {
        match t.as_str() {
            Some("Ingress") => ingress_type = true,
            Some("Egress") => egress_type = true,
            _ => sink.error(
                &path_index("spec.policyTypes", i),
                format!(
                    "unsupported value `{}`: supported values are \"Ingress\", \"Egress\"",
                    t.scalar_string().unwrap_or_default()
                ),
            ),
        }
    }
    if types.is_empty() {
        ingress_type = true;
        egress_type = !egress.is_empty();
    } else {
        if !ingress_type && !ingress.is_empty() {
            sink.warn(
                "spec.ingress",
                "ingress rules are ignored: `policyTypes` does not list Ingress".to_string(),
            );
        }
        if !egress_type && !egress.is_empty() {
            sink.warn(
                "spec.egress",
                "egress rules are ignored: `policyTypes` does not list Egress".to_string(),
            );
        }
    }

    let mut issues = Vec::new();
    for (path, message) in &sink.errors {
        issues.push(PolicyIssue {
            policy: (*r).clone(),
            path: path.clone(),
            severity: IssueSeverity::Error,
            message: message.clone(),
        });
    }
    for (path, message) in &sink.warnings {
        issues.push(PolicyIssue {
            policy: (*r).clone(),
            path: path.clone(),
            severity: IssueSeverity::Warning,
            message: message.clone(),
        });
    }
    if !sink.errors.is_empty() {
        return (None, issues);
    }
    let policy = Policy {
        r,
        pod_selector,
        ingress_type,
        egress_type,
        ingress,
        egress,
    };
    (Some(policy), issues)
}

fn parse_rules(spec: &Node, key: &str, peers_key: &str, sink: &mut IssueSink) -> Vec<Rule> {
    let base = path_join("spec", key);
    let Some(list) = spec.get(key).filter(|n| !n.is_null()) else {
        return Vec::new();
    };
    if !list.is_seq() {
        sink.error(
            &base,
            format!("must be a list of rules, found {}", list.type_name()),
        );
        return Vec::new();
    }
    let mut rules = Vec::new();
    for (i, rule) in list.items().enumerate() {
        let rp = path_index(&base, i);
        if !rule.is_null() && !rule.is_map() {
            sink.error(
                &rp,
                format!("must be a rule mapping, found {}", rule.type_name()),
            );
            continue;
        }
        let peers_path = path_join(&rp, peers_key);
        let mut peers = Vec::new();
        if let Some(pl) = rule.get(peers_key).filter(|n| !n.is_null()) {
            if !pl.is_seq() {
                sink.error(
                    &peers_path,
                    format!("must be a list of peers, found {}", pl.type_name()),
                );
            }
            for (j, peer) in pl.items().enumerate() {
                let pp = path_index(&peers_path, j);
                if let Some(p) = parse_peer(peer, &pp, sink) {
                    peers.push(p);
                }
            }
        }
        let ports_path = path_join(&rp, "ports");
        let mut ports = Vec::new();
        if let Some(pl) = rule.get("ports").filter(|n| !n.is_null()) {
            if !pl.is_seq() {
                sink.error(
                    &ports_path,
                    format!("must be a list of ports, found {}", pl.type_name()),
                );
            }
            for (j, port) in pl.items().enumerate() {
                let pp = path_index(&ports_path, j);
                if let Some(p) = parse_port(port, &pp, sink) {
                    ports.push((pp, p));
                }
            }
        }
        rules.push(Rule {
            path: rp,
            peers: (!peers.is_empty()).then_some(peers),
            ports: (!ports.is_empty()).then_some(ports),
        });
    }
    rules
}

fn parse_peer(peer: &Node, path: &str, sink: &mut IssueSink) -> Option<Peer> {
    if !peer.is_null() && !peer.is_map() {
        sink.error(
            path,
            format!("must be a peer mapping, found {}", peer.type_name()),
        );
        return None;
    }
    let present = |k: &str| peer.get(k).filter(|n| !n.is_null());
    let pods =
        present("podSelector").map(|n| Selector::parse(n, &path_join(path, "podSelector"), sink));
    let ns = present("namespaceSelector")
        .map(|n| Selector::parse(n, &path_join(path, "namespaceSelector"), sink));
    let block = present("ipBlock");
    let count =
        usize::from(pods.is_some()) + usize::from(ns.is_some()) + usize::from(block.is_some());
    if count == 0 {
        sink.error(path, "must specify a peer".to_string());
        return None;
    }
    if count > 1 && block.is_some() {
        sink.error(
            path,
            "may not specify both ipBlock and another peer".to_string(),
        );
        return None;
    }
    if let Some(b) = block {
        let bp = path_join(path, "ipBlock");
        return parse_ip_block(b, &bp, sink).map(|blk| Peer {
            path: path.to_string(),
            kind: PeerKind::Block(blk),
        });
    }
    Some(Peer {
        path: path.to_string(),
        kind: PeerKind::Pods { ns, pods },
    })
}

fn parse_ip_block(b: &Node, path: &str, sink: &mut IssueSink) -> Option<IpBlock> {
    let cidr_path = path_join(path, "cidr");
    let Some(cidr_s) = b
        .get("cidr")
        .and_then(Node::as_str)
        .filter(|s| !s.is_empty())
    else {
        sink.error(&cidr_path, "cidr is required".to_string());
        return None;
    };
    let Some(cidr) = Cidr::parse(cidr_s) else {
        sink.error(&cidr_path, format!("invalid CIDR `{cidr_s}`"));
        return None;
    };
    if cidr.host_bits {
        sink.warn(
            &cidr_path,
            format!("`{cidr_s}` has host bits set; it is read as the whole network"),
        );
    }
    if cidr.leading_zeros {
        sink.warn(
            &cidr_path,
            format!("`{cidr_s}` has IPv4 octets with leading zeros, which are read as decimal"),
        );
    }
    let mut except = Vec::new();
    let ex_path = path_join(path, "except");
    for (i, e) in b
        .get("except")
        .map(|n| n.items().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let ep = path_index(&ex_path, i);
        let es = e.scalar_string().unwrap_or_default();
        let Some(ec) = Cidr::parse(&es) else {
            sink.error(&ep, format!("invalid CIDR `{es}`"));
            continue;
        };
        if ec.family != cidr.family
            || ec.lo < cidr.lo
            || ec.lo > cidr.hi
            || ec.prefix <= cidr.prefix
        {
            sink.error(
                &ep,
                format!("`{es}` must be a strict subset of `cidr` `{cidr_s}`"),
            );
            continue;
        }
        if ec.host_bits {
            sink.warn(
                &ep,
                format!("`{es}` has host bits set; it is read as the whole network"),
            );
        }
        except.push((ec.lo, ec.hi));
    }
    Some(IpBlock {
        family: cidr.family,
        lo: cidr.lo,
        hi: cidr.hi,
        prefix: cidr.prefix,
        except,
    })
}

fn port_number(n: &Node) -> Option<i64> {
    n.as_i64()
}

fn parse_port(port: &Node, path: &str, sink: &mut IssueSink) -> Option<PortSpec> {
    if !port.is_null() && !port.is_map() {
        sink.error(
            path,
            format!("must be a port mapping, found {}", port.type_name()),
        );
        return None;
    }
    let proto_path = path_join(path, "protocol");
    let protocol = match port.get("protocol").filter(|n| !n.is_null()) {
        None => Protocol::Tcp,
        Some(p) => {
            if let Some(proto) = p.as_str().and_then(Protocol::parse) {
                proto
            } else {
                sink.error(
                    &proto_path,
                    format!(
                        "unsupported value `{}`: supported values are \"SCTP\", \"TCP\", \"UDP\"",
                        p.scalar_string().unwrap_or_default()
                    ),
                );
                return None;
            }
        }
    };
    let port_path = path_join(path, "port");
    let end_path = path_join(path, "endPort");
    let end = port.get("endPort").filter(|n| !n.is_null());
    let end_num = match end {
        None => None,
        Some(e) => match port_number(e) {
            Some(v) => Some(v),
            None => {
                sink.error(&end_path, "must be an integer".to_string());
                return None;
            }
        },
    };
    match port.get("port").filter(|n| !n.is_null()) {
        None => {
            if end_num.is_some() {
                sink.error(
                    &end_path,
                    "may not be specified when `port` is not specified".to_string(),
                );
                return None;
            }
            Some(PortSpec::Any(protocol))
        }
        Some(p) => {
            if let Some(v) = port_number(p) {
                let Ok(lo) = u16::try_from(v)
                    .map_err(|_| ())
                    .and_then(|x| if x >= MIN_PORT { Ok(x) } else { Err(()) })
                else {
                    sink.error(
                        &port_path,
                        format!("must be between {MIN_PORT} and {MAX_PORT}, inclusive (got {v})"),
                    );
                    return None;
                };
                let hi = match end_num {
                    None => lo,
                    Some(e) => {
                        let Ok(hi) = u16::try_from(e)
                            .map_err(|_| ())
                            .and_then(|x| if x >= MIN_PORT { Ok(x) } else { Err(()) })
                        else {
                            sink.error(
                                &end_path,
                                format!(
                                    "must be between {MIN_PORT} and {MAX_PORT}, inclusive (got {e})"
                                ),
                            );
                            return None;
                        };
                        if hi < lo {
                            sink.error(
                                &end_path,
                                format!("must be greater than or equal to `port` ({e} < {v})"),
                            );
                            return None;
                        }
                        hi
                    }
                };
                Some(PortSpec::Range(protocol, lo, hi))
            } else if let Some(name) = p.scalar_string() {
                if end_num.is_some() {
                    sink.error(
                        &end_path,
                        "may not be specified when `port` is non-numeric".to_string(),
                    );
                    return None;
                }
                if !is_valid_port_name(&name) {
                    sink.error(
                        &port_path,
                        format!("`{name}` is not a valid port name (1-15 lowercase letters, digits and '-', with at least one letter)"),
                    );
                    return None;
                }
                Some(PortSpec::Named(protocol, name.into_owned()))
            } else {
                sink.error(
                    &port_path,
                    format!("must be a number or a port name, found {}", p.type_name()),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(y: &str) -> (Option<Policy>, Vec<PolicyIssue>) {
        let p = kubeward_yaml::parse_str(y);
        parse_policy(&p.documents[0].root, SourceId(0), "")
    }

    fn errors(y: &str) -> Vec<String> {
        let (p, issues) = parse(y);
        let errs: Vec<String> = issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect();
        assert_eq!(p.is_none(), !errs.is_empty());
        errs
    }

    #[test]
    fn policy_types_defaulting() {
        let (p, _) = parse("kind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n");
        let p = p.unwrap();
        assert!(p.ingress_type && !p.egress_type);
        let (p, _) = parse(
            "kind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n  egress: [{}]\n",
        );
        let p = p.unwrap();
        assert!(p.ingress_type && p.egress_type);
        // `egress: []` is no rules: Egress is not defaulted in.
        let (p, _) = parse(
            "kind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n  egress: []\n",
        );
        let p = p.unwrap();
        assert!(p.ingress_type && !p.egress_type);
        let (p, issues) = parse(
            "kind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]\n",
        );
        let p = p.unwrap();
        assert!(!p.ingress_type && p.egress_type);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].severity, IssueSeverity::Warning);
    }

    #[test]
    fn invalid_policies_are_located() {
        let base = "kind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n";
        assert_eq!(
            errors(&format!(
                "{base}  ingress:\n  - from:\n    - ipBlock: {{cidr: 10.0.0.0/33}}\n"
            )),
            vec!["spec.ingress[0].from[0].ipBlock.cidr: invalid CIDR `10.0.0.0/33`"]
        );
        assert_eq!(
            errors(&format!(
                "{base}  ingress:\n  - from:\n    - ipBlock: {{cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}\n"
            )),
            vec![
                "spec.ingress[0].from[0].ipBlock.except[0]: `192.168.0.0/16` must be a strict subset of `cidr` `10.0.0.0/8`"
            ]
        );
        assert_eq!(
            errors(&format!("{base}  ingress:\n  - from:\n    - ipBlock: {{cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}\n")).len(),
            1
        );
        assert_eq!(
            errors(&format!(
                "{base}  ingress:\n  - from:\n    - ipBlock: {{cidr: 10.0.0.0/8}}\n      podSelector: {{}}\n"
            )),
            vec!["spec.ingress[0].from[0]: may not specify both ipBlock and another peer"]
        );
        assert_eq!(
            errors(&format!("{base}  ingress:\n  - from:\n    - {{}}\n")),
            vec!["spec.ingress[0].from[0]: must specify a peer"]
        );
        assert_eq!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{port: http, endPort: 90}}\n"
            )),
            vec![
                "spec.egress[0].ports[0].endPort: may not be specified when `port` is non-numeric"
            ]
        );
        assert_eq!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{port: 100, endPort: 90}}\n"
            )),
            vec![
                "spec.egress[0].ports[0].endPort: must be greater than or equal to `port` (90 < 100)"
            ]
        );
        assert_eq!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{endPort: 90}}\n"
            ))
            .len(),
            1
        );
        assert_eq!(
            errors(&format!("{base}  egress:\n  - ports:\n    - {{port: 0}}\n")).len(),
            1
        );
        assert_eq!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{port: \"80\"}}\n"
            ))
            .len(),
            1
        );
        assert_eq!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{port: 80, protocol: ICMP}}\n"
            ))
            .len(),
            1
        );
        assert_eq!(
            errors(&format!("{base}  policyTypes: [Ingress, Sideways]\n")).len(),
            1
        );
        assert!(
            errors(&format!(
                "{base}  egress:\n  - ports:\n    - {{port: 80, endPort: 90, protocol: SCTP}}\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn port_names() {
        assert!(is_valid_port_name("http"));
        assert!(is_valid_port_name("h2-c"));
        assert!(!is_valid_port_name("80"));
        assert!(!is_valid_port_name("-a"));
        assert!(!is_valid_port_name("a--b"));
        assert!(!is_valid_port_name("Http"));
        assert!(!is_valid_port_name("abcdefghijklmnop"));
    }
}
