//! Light shape checks on the fields rules read, so that a wrong type is a located warning
//! (the API server would reject the object) instead of silently reading as "unset".

use kubeward_source::Span;
use kubeward_yaml::Node;

use crate::object::Object;
use crate::workload::PodTemplate;

/// Expected type of a field.
#[derive(Clone, Copy)]
enum Expect {
    Map,
    Seq,
    Bool,
    Int,
    Str,
}

impl Expect {
    fn accepts(self, node: &Node) -> bool {
        if node.is_null() {
            return true;
        }
        match self {
            Expect::Map => node.is_map(),
            Expect::Seq => node.is_seq(),
            Expect::Bool => node.as_bool().is_some(),
            Expect::Int => node.as_i64().is_some(),
            Expect::Str => node.scalar_string().is_some(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expect::Map => "a mapping",
            Expect::Seq => "a list",
            Expect::Bool => "a boolean",
            Expect::Int => "an integer",
            Expect::Str => "a string",
        }
    }
}

const METADATA_FIELDS: &[(&str, Expect)] = &[
    ("metadata", Expect::Map),
    ("metadata.name", Expect::Str),
    ("metadata.namespace", Expect::Str),
    ("metadata.labels", Expect::Map),
    ("metadata.annotations", Expect::Map),
];

const POD_SPEC_FIELDS: &[(&str, Expect)] = &[
    ("containers", Expect::Seq),
    ("initContainers", Expect::Seq),
    ("ephemeralContainers", Expect::Seq),
    ("volumes", Expect::Seq),
    ("hostNetwork", Expect::Bool),
    ("hostPID", Expect::Bool),
    ("hostIPC", Expect::Bool),
    ("automountServiceAccountToken", Expect::Bool),
    ("serviceAccountName", Expect::Str),
    ("securityContext", Expect::Map),
    ("securityContext.runAsNonRoot", Expect::Bool),
    ("securityContext.runAsUser", Expect::Int),
    ("securityContext.runAsGroup", Expect::Int),
    ("securityContext.seccompProfile", Expect::Map),
    ("securityContext.sysctls", Expect::Seq),
];

const CONTAINER_FIELDS: &[(&str, Expect)] = &[
    ("image", Expect::Str),
    ("name", Expect::Str),
    ("env", Expect::Seq),
    ("envFrom", Expect::Seq),
    ("ports", Expect::Seq),
    ("resources", Expect::Map),
    ("securityContext", Expect::Map),
    ("securityContext.privileged", Expect::Bool),
    ("securityContext.allowPrivilegeEscalation", Expect::Bool),
    ("securityContext.readOnlyRootFilesystem", Expect::Bool),
    ("securityContext.runAsNonRoot", Expect::Bool),
    ("securityContext.runAsUser", Expect::Int),
    ("securityContext.runAsGroup", Expect::Int),
    ("securityContext.capabilities", Expect::Map),
    ("securityContext.capabilities.add", Expect::Seq),
    ("securityContext.capabilities.drop", Expect::Seq),
    ("securityContext.seccompProfile", Expect::Map),
];

/// Returns `(span, path, message)` for every field whose type is wrong.
pub(crate) fn check_shapes(object: &Object) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    check_fields(&object.root, "", METADATA_FIELDS, &mut out);
    if let Some((_, spec_path)) = crate::workload::pod_template_paths(object.kind()) {
        match object.root.at_path(spec_path) {
            Some(spec) if !spec.is_map() && !spec.is_null() => {
                out.push(wrong(spec, spec_path.to_string(), Expect::Map))
            }
            _ => {}
        }
    }
    if let Some(pod) = PodTemplate::of(object) {
        check_fields(pod.spec, pod.spec_path, POD_SPEC_FIELDS, &mut out);
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for (i, item) in pod
                .spec
                .get(list)
                .into_iter()
                .flat_map(Node::items)
                .enumerate()
            {
                let path = format!("{}.{list}[{i}]", pod.spec_path);
                if item.is_map() {
                    check_fields(item, &path, CONTAINER_FIELDS, &mut out);
                } else {
                    out.push(wrong(item, path, Expect::Map));
                }
            }
        }
    }
    out
}

fn check_fields(
    base: &Node,
    base_path: &str,
    fields: &[(&str, Expect)],
    out: &mut Vec<(Span, String, String)>,
) {
    for &(field, expect) in fields {
        let Some(node) = base.at_path(field) else {
            continue;
        };
        if !expect.accepts(node) {
            let path = if base_path.is_empty() {
                field.to_string()
            } else {
                format!("{base_path}.{field}")
            };
            out.push(wrong(node, path, expect));
        }
    }
}

fn wrong(node: &Node, path: String, expect: Expect) -> (Span, String, String) {
    let message = format!(
        "`{path}` must be {}, found {}; the API server would reject this object",
        expect.name(),
        node.type_name()
    );
    (node.span, path, message)
}
