//! The declared-flows file of `kubeward netpol synth --flows FILE`.
//!
//! Two shapes are accepted (YAML or JSON):
//!
//! ```yaml
//! flows:
//! - from: shop/frontend          # NS/WORKLOAD, KIND/NS/NAME, or an address, range or CIDR
//!   to: shop/api
//!   ports: [9000/TCP, 53/UDP, 8000-8100/TCP]   # or `all`; absent means all
//! ```
//!
//! or the output of `kubeward netpol connections --format json` (`{"connections": [{"src",
//! "dst", "ports"}]}`), edited down to the flows to keep. Every problem is reported with its
//! `file:line:col`.

use kubeward_netpol::{Connection, Endpoint, PortRanges, PortSet, Protocol};
use kubeward_yaml::{IssueSeverity, Node};

/// Parses a port list entry: `9000`, `9000/TCP`, `8000-8100/UDP`.
pub fn parse_port_spec(text: &str) -> Result<PortSet, String> {
    let (range, protocol) = match text.split_once('/') {
        Some((r, p)) => (
            r,
            Protocol::parse(&p.to_ascii_uppercase())
                .ok_or_else(|| format!("unknown protocol `{p}` (TCP, UDP or SCTP)"))?,
        ),
        None => (text, Protocol::Tcp),
    };
    let number = |s: &str| -> Result<u16, String> {
        s.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("`{s}` is not a port number (1-65535)"))
    };
    let (lo, hi) = match range.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let n = number(range)?;
            (n, n)
        }
    };
    if lo > hi {
        return Err(format!("`{text}`: the range ends before it starts"));
    }
    Ok(PortSet::ports(protocol, lo, hi))
}

/// A flow endpoint as written, with where it was written.
pub struct RawEndpoint {
    /// The text (`shop/api`, `10.0.0.0/8`) or, for the connections shape, the endpoint.
    pub text: Result<String, Endpoint>,
    /// `file:line:col`.
    pub at: String,
}

/// One declared flow before its endpoints are resolved against the cluster.
pub struct RawFlow {
    /// Source.
    pub from: RawEndpoint,
    /// Destination.
    pub to: RawEndpoint,
    /// Ports.
    pub ports: PortSet,
}

fn at(file: &str, node: &Node) -> String {
    format!("{file}:{}:{}", node.span.start.line, node.span.start.col)
}

fn ports_of(file: &str, node: Option<&Node>, errors: &mut Vec<String>) -> PortSet {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return PortSet::all();
    };
    if node.as_str() == Some("all") {
        return PortSet::all();
    }
    if node.is_map() {
        // The connections shape: {"TCP": "80,8080-8090", "UDP": "53"}.
        let mut set = PortSet::none();
        for (key, value) in node.entries() {
            let Some(protocol) = Protocol::parse(&key) else {
                errors.push(format!(
                    "{}: unknown protocol `{key}` (TCP, UDP or SCTP)",
                    at(file, value)
                ));
                continue;
            };
            let text = value.scalar_string().unwrap_or_default();
            match PortRanges::parse(&text) {
                Ok(r) => set = set.union(&PortSet::from_ranges(protocol, r)),
                Err(e) => errors.push(format!("{}: {e}", at(file, value))),
            }
        }
        return set;
    }
    if !node.is_seq() {
        errors.push(format!(
            "{}: `ports` must be `all` or a list like [80/TCP, 53/UDP]",
            at(file, node)
        ));
        return PortSet::none();
    }
    let mut set = PortSet::none();
    for item in node.items() {
        let text = item.scalar_string().unwrap_or_default();
        match parse_port_spec(&text) {
            Ok(p) => set = set.union(&p),
            Err(e) => errors.push(format!("{}: {e}", at(file, item))),
        }
    }
    set
}

fn endpoint_text(
    file: &str,
    parent: &Node,
    key: &str,
    errors: &mut Vec<String>,
) -> Option<RawEndpoint> {
    let Some(node) = parent.get(key) else {
        errors.push(format!("{}: missing `{key}`", at(file, parent)));
        return None;
    };
    if let Some(text) = node.scalar_string() {
        return Some(RawEndpoint {
            text: Ok(text.into_owned()),
            at: at(file, node),
        });
    }
    if node.is_map() {
        if let Some(range) = node.get("ip_range").and_then(Node::scalar_string) {
            return Some(RawEndpoint {
                text: Ok(range.into_owned()),
                at: at(file, node),
            });
        }
        let field = |k: &str| node.get(k).and_then(Node::scalar_string);
        if let (Some(kind), Some(ns), Some(name)) =
            (field("kind"), field("namespace"), field("name"))
        {
            return Some(RawEndpoint {
                text: Err(Endpoint::workload(&kind, &ns, &name)),
                at: at(file, node),
            });
        }
    }
    errors.push(format!(
        "{}: `{key}` must be NS/WORKLOAD, KIND/NS/NAME, an address, a range or a CIDR",
        at(file, node)
    ));
    None
}

/// Reads the flows of a file's text. Errors are `file:line:col: message` lines.
pub fn parse(file: &str, text: &str) -> Result<Vec<RawFlow>, Vec<String>> {
    let parsed = kubeward_yaml::parse_str(text);
    let mut errors: Vec<String> = parsed
        .issues
        .iter()
        .filter(|i| i.severity == IssueSeverity::Error)
        .map(|i| {
            format!(
                "{file}:{}:{}: {}",
                i.span.start.line, i.span.start.col, i.message
            )
        })
        .collect();
    let Some(root) = parsed.documents.first().map(|d| &d.root) else {
        errors.push(format!(
            "{file}: no flows (expected `flows:` or `connections:`)"
        ));
        return Err(errors);
    };
    let (list, src_key, dst_key) = if let Some(l) = root.get("flows") {
        (l, "from", "to")
    } else if let Some(l) = root.get("connections") {
        (l, "src", "dst")
    } else {
        errors.push(format!(
            "{}: expected a `flows:` list (or the `connections:` of `kubeward netpol connections --format json`)",
            at(file, root)
        ));
        return Err(errors);
    };
    if !list.is_seq() && !list.is_null() {
        errors.push(format!("{}: must be a list", at(file, list)));
        return Err(errors);
    }
    let mut flows = Vec::new();
    for item in list.items() {
        let from = endpoint_text(file, item, src_key, &mut errors);
        let to = endpoint_text(file, item, dst_key, &mut errors);
        let ports = ports_of(file, item.get("ports"), &mut errors);
        if let (Some(from), Some(to)) = (from, to) {
            flows.push(RawFlow { from, to, ports });
        }
    }
    if errors.is_empty() {
        Ok(flows)
    } else {
        Err(errors)
    }
}

/// Turns resolved flows into connections, merging the ports of repeated pairs.
pub fn merge(flows: Vec<(Endpoint, Endpoint, PortSet)>) -> Vec<Connection> {
    let mut merged: std::collections::BTreeMap<(Endpoint, Endpoint), PortSet> =
        std::collections::BTreeMap::new();
    for (src, dst, ports) in flows {
        let slot = merged.entry((src, dst)).or_insert_with(PortSet::none);
        *slot = slot.union(&ports);
    }
    merged
        .into_iter()
        .map(|((src, dst), ports)| Connection { src, dst, ports })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn port_specs() {
        assert_eq!(
            parse_port_spec("5432/TCP").unwrap(),
            PortSet::ports(Protocol::Tcp, 5432, 5432)
        );
        assert_eq!(
            parse_port_spec("53/udp").unwrap(),
            PortSet::ports(Protocol::Udp, 53, 53)
        );
        assert_eq!(
            parse_port_spec("8000-8100").unwrap(),
            PortSet::ports(Protocol::Tcp, 8000, 8100)
        );
        assert!(parse_port_spec("0").is_err());
        assert!(parse_port_spec("80/ICMP").is_err());
        assert!(parse_port_spec("90-80").is_err());
    }

    #[test]
    fn both_shapes_and_located_errors() {
        let flows = parse(
            "f.yaml",
            "flows:\n- {from: shop/web, to: shop/api, ports: [9000/TCP, 53/UDP]}\n- {from: shop/api, to: 10.0.0.0/8}\n",
        )
        .unwrap();
        assert_eq!(flows.len(), 2);
        assert!(flows[1].ports.is_all());
        let flows = parse(
            "c.json",
            r#"{"connections": [{"src": {"kind": "Deployment", "namespace": "a", "name": "b"}, "dst": {"ip_range": "1.2.3.4-1.2.3.4"}, "ports": {"TCP": "80,8080-8090"}}]}"#,
        )
        .unwrap();
        assert_eq!(flows[0].ports.to_string(), "TCP:80,8080-8090");
        let errors = parse("f.yaml", "flows:\n- {from: shop/web, ports: [99999]}\n")
            .err()
            .unwrap();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("f.yaml:2:3: missing `to`"),
            "{errors:?}"
        );
        assert!(errors[1].starts_with("f.yaml:2:28:"), "{errors:?}");
    }
}
