#!/usr/bin/env python3
"""Generates a large RBAC input for kubeward's end-to-end benchmark.

    python3 bench/rbac/gen.py [--roles 10000] [--bindings 20000] [--seed 1] > rbac-large.yaml

Deterministic for a seed. The mix resembles a big multi-tenant cluster: 80% namespaced
Roles / RoleBindings over 400 namespaces, 20% ClusterRoles / ClusterRoleBindings; rules
over the built-in resources with a few wildcards, secret readers and escalation verbs;
subjects are users, groups and service accounts (one ServiceAccount object per namespace
and team); bindings refer to existing roles, to the default ClusterRoles (view, edit, admin)
and, rarely, to roles that do not exist.
"""
import argparse
import random
import sys

RESOURCES = [
    ("", "pods"), ("", "pods/log"), ("", "pods/exec"), ("", "services"), ("", "configmaps"),
    ("", "secrets"), ("", "serviceaccounts"), ("", "persistentvolumeclaims"), ("", "events"),
    ("apps", "deployments"), ("apps", "statefulsets"), ("apps", "daemonsets"),
    ("apps", "replicasets"), ("batch", "jobs"), ("batch", "cronjobs"),
    ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"),
    ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "rolebindings"),
    ("autoscaling", "horizontalpodautoscalers"), ("policy", "poddisruptionbudgets"),
    ("coordination.k8s.io", "leases"), ("acme.io", "widgets"), ("acme.io", "gadgets"),
]
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
DEFAULT_ROLES = ["view", "edit", "admin"]


def q(s):
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rule(rng):
    roll = rng.random()
    if roll < 0.01:
        return '- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}'
    if roll < 0.03:
        group, res = rng.choice(RESOURCES)
        return f"- {{apiGroups: [{q(group)}], resources: [{q(res)}], verbs: [\"*\"]}}"
    if roll < 0.05:
        return '- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}'
    if roll < 0.06:
        return '- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles], verbs: [bind, escalate]}'
    picks = rng.sample(RESOURCES, rng.randint(1, 4))
    groups = sorted({g for g, _ in picks})
    resources = sorted({r for _, r in picks})
    verbs = rng.sample(VERBS, rng.randint(1, 4))
    names = ""
    if rng.random() < 0.1:
        names = f", resourceNames: [{q('obj-' + str(rng.randint(0, 50)))}]"
    return (
        f"- {{apiGroups: [{', '.join(q(g) for g in groups)}], "
        f"resources: [{', '.join(q(r) for r in resources)}], "
        f"verbs: [{', '.join(verbs)}]{names}}}"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roles", type=int, default=10000)
    ap.add_argument("--bindings", type=int, default=20000)
    ap.add_argument("--namespaces", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    namespaces = [f"team-{i:03d}" for i in range(args.namespaces)]
    teams = ["api", "web", "worker", "batch", "ci"]

    for ns in namespaces:
        for t in teams:
            out.write(f"---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {t}, namespace: {ns}}}\n")

    cluster_roles = []
    ns_roles = {ns: [] for ns in namespaces}
    for i in range(args.roles):
        rules = "\n".join(rule(rng) for _ in range(rng.randint(1, 6)))
        if i % 5 == 0:
            name = f"cr-{i:05d}"
            cluster_roles.append(name)
            out.write(
                f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                f"metadata: {{name: {name}}}\nrules:\n{rules}\n"
            )
        else:
            ns = rng.choice(namespaces)
            name = f"role-{i:05d}"
            ns_roles[ns].append(name)
            out.write(
                f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
                f"metadata: {{name: {name}, namespace: {ns}}}\nrules:\n{rules}\n"
            )

    def subjects(ns):
        out_s = []
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.4:
                out_s.append(f"- {{kind: User, name: user-{rng.randint(0, 2000)}, apiGroup: rbac.authorization.k8s.io}}")
            elif roll < 0.6:
                out_s.append(f"- {{kind: Group, name: group-{rng.randint(0, 200)}, apiGroup: rbac.authorization.k8s.io}}")
            else:
                sa_ns = ns if ns and rng.random() < 0.8 else rng.choice(namespaces)
                out_s.append(f"- {{kind: ServiceAccount, name: {rng.choice(teams)}, namespace: {sa_ns}}}")
        return "\n".join(out_s)

    for i in range(args.bindings):
        if i % 5 == 0:
            roll = rng.random()
            role = "cluster-admin" if roll < 0.002 else (
                rng.choice(DEFAULT_ROLES) if roll < 0.1 else rng.choice(cluster_roles))
            out.write(
                f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
                f"metadata: {{name: crb-{i:05d}}}\n"
                f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\n"
                f"subjects:\n{subjects(None)}\n"
            )
        else:
            ns = rng.choice(namespaces)
            roll = rng.random()
            if roll < 0.2 or not ns_roles[ns]:
                kind, role = "ClusterRole", rng.choice(DEFAULT_ROLES + cluster_roles[:50])
            elif roll < 0.21:
                kind, role = "Role", "missing-role"
            else:
                kind, role = "Role", rng.choice(ns_roles[ns])
            out.write(
                f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
                f"metadata: {{name: rb-{i:05d}, namespace: {ns}}}\n"
                f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}\n"
                f"subjects:\n{subjects(ns)}\n"
            )


if __name__ == "__main__":
    main()
