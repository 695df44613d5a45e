#!/usr/bin/env python3
"""Writes a realistic API-server audit log (audit.k8s.io/v1 JSON lines) for bench/audit/run.sh.

usage: generate.py EVENTS OUT.jsonl

A busy cluster over a few hours at the Metadata level, like the engine's own benchmark stream
but larger and with more identities: controllers and kubelets renewing leases and patching
status, watches logged at two stages, Prometheus listing, CI service accounts creating pods
(Request level, with bodies), developers using kubectl (some 403s and 404s), kubelets reading
their pods' secrets and requesting tokens. A few attacks are planted (anonymous probing,
secret harvesting, exec, a cluster-admin binding, a pod-creation spike) at 03:15 so every kind of
detector does work. Deterministic: the same EVENTS give the same file.
"""
import json
import random
import sys
import zlib

BASE = 1714528800  # 2024-05-01T02:00:00Z
KUBECTL = "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225"


def ts(us):
    s, micro = divmod(us, 1_000_000)
    # A tiny strftime-free RFC 3339 formatter (UTC).
    days, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    # days since 1970-01-01 -> civil date (Howard Hinnant's algorithm).
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    mo = mp + 3 if mp < 10 else mp - 9
    y += mo <= 2
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{m:02d}:{sec:02d}.{micro:06d}Z"


def groups(user):
    if user.startswith("system:serviceaccount:"):
        ns = user.split(":")[2]
        return ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    if user.startswith("system:node:"):
        return ["system:nodes", "system:authenticated"]
    if user == "system:anonymous":
        return ["system:unauthenticated"]
    return ["developers", "system:authenticated"]


POD = {"kind": "Pod", "apiVersion": "v1", "metadata": {"generateName": "job-", "labels": {"app": "batch"}},
       "spec": {"containers": [{"name": "main", "image": "registry.example.com/batch:1.4.2",
                                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                                "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False}}],
                "volumes": [{"name": "scratch", "emptyDir": {}}], "restartPolicy": "Never"}}


def main():
    total = int(sys.argv[1])
    out = open(sys.argv[2], "w")
    rng = random.Random(20240501)
    nodes = [f"worker-{i}" for i in range(1, 41)]
    namespaces = ["default", "web", "payments", "batch", "data", "monitoring", "argocd", "search", "mail", "auth"]
    devs = [f"dev-{i:02d}" for i in range(1, 31)]
    sas = [f"system:serviceaccount:{ns}:{name}" for ns in namespaces for name in ("app", "worker", "sync")]
    controllers = ["system:kube-controller-manager", "system:kube-scheduler"] + [
        f"system:serviceaccount:kube-system:{c}" for c in
        ("replicaset-controller", "deployment-controller", "endpointslice-controller", "job-controller",
         "namespace-controller", "garbage-collector", "daemon-set-controller", "statefulset-controller")]
    written = 0
    seq = 0
    t = BASE * 1_000_000
    step = max(1, (5 * 3600 * 1_000_000) // max(total, 1))  # spread over ~5 hours
    dumps = json.JSONEncoder(separators=(",", ":")).encode

    def emit(verb, uri, user, obj, code=200, stages=("ResponseComplete",), level="Metadata", ua=KUBECTL,
             ip="10.0.0.10", req=None, aid=None):
        nonlocal written, seq
        seq += 1
        aid = aid or f"{seq:08x}-5eed-4c1d-9a7e-{(seq * 2654435761) % (1 << 48):012x}"
        for stage in stages:
            if written >= total:
                return
            e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": aid, "stage": stage,
                 "requestURI": uri, "verb": verb,
                 "user": {"username": user, "uid": f"u{zlib.crc32(user.encode()) & 0xffff:x}", "groups": groups(user)},
                 "sourceIPs": [ip], "userAgent": ua}
            if obj:
                e["objectRef"] = obj
            if stage != "RequestReceived":
                status = {"metadata": {}, "code": code}
                if code >= 400:
                    status.update({"status": "Failure", "reason": "Forbidden" if code == 403 else "NotFound"})
                e["responseStatus"] = status
            if req is not None and level != "Metadata":
                e["requestObject"] = req
            e["requestReceivedTimestamp"] = ts(t)
            e["stageTimestamp"] = ts(t + 3000)
            if stage != "RequestReceived":
                e["annotations"] = {"authorization.k8s.io/decision": "forbid" if code == 403 else "allow",
                                    "authorization.k8s.io/reason": "" if code == 403 else
                                    'RBAC: allowed by ClusterRoleBinding "system:controller" of ClusterRole "system:controller"'}
            out.write(dumps(e))
            out.write("\n")
            written += 1

    attack_at = BASE * 1_000_000 + 75 * 60 * 1_000_000  # 03:15, after first-seen's learning hour
    attacked = False
    next_batch = BASE * 1_000_000 + 30 * 1_000_000
    while written < total:
        t += step + rng.randrange(step + 1)
        if t >= next_batch:
            # The batch worker's steady pod creations: the rate-spike baseline.
            next_batch += 240 * 1_000_000
            emit("create", "/api/v1/namespaces/batch/pods", "system:serviceaccount:batch:worker",
                 {"resource": "pods", "namespace": "batch", "apiVersion": "v1"}, code=201, level="Request",
                 req=POD, ua="python-requests/2.31.0", ip="10.244.5.3")
            continue
        if not attacked and t >= attack_at:
            attacked = True
            for k in range(25):
                emit("list", "/api/v1/namespaces/kube-system/secrets", "system:anonymous",
                     {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, code=403,
                     ua="curl/8.4.0", ip="198.51.100.23")
            emit("list", "/api/v1/secrets", "system:serviceaccount:web:app", {"resource": "secrets", "apiVersion": "v1"},
                 ua="python-requests/2.31.0", ip="10.244.3.7")
            emit("create", "/api/v1/namespaces/web/pods/api-0/exec?command=sh&stdin=true&tty=true", "mallory",
                 {"resource": "pods", "namespace": "web", "name": "api-0", "apiVersion": "v1", "subresource": "exec"},
                 code=101, stages=("ResponseStarted", "ResponseComplete"), ip="203.0.113.50")
            crb = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
                   "metadata": {"name": "backdoor"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "mallory"}]}
            emit("create", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "mallory",
                 {"resource": "clusterrolebindings", "name": "backdoor", "apiGroup": "rbac.authorization.k8s.io",
                  "apiVersion": "v1"}, code=201, level="Request", req=crb, ip="203.0.113.50")
            for k in range(60):
                emit("create", "/api/v1/namespaces/batch/pods", "system:serviceaccount:batch:worker",
                     {"resource": "pods", "namespace": "batch", "apiVersion": "v1"}, code=201, level="Request",
                     req=POD, ua="python-requests/2.31.0", ip="10.244.5.3")
            continue
        r = rng.random()
        if r < 0.30:
            c = rng.choice(controllers)
            lease = c.rsplit(":", 1)[-1]
            verb = rng.choice(("get", "update"))
            emit(verb, f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{lease}", c,
                 {"resource": "leases", "namespace": "kube-system", "name": lease, "apiGroup": "coordination.k8s.io",
                  "apiVersion": "v1"}, ua=f"kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/{lease}",
                 ip="10.0.0.2")
        elif r < 0.50:
            n = rng.choice(nodes)
            ip = f"10.0.1.{nodes.index(n) + 10}"
            kind = rng.random()
            if kind < 0.5:
                emit("patch", f"/api/v1/nodes/{n}/status", f"system:node:{n}",
                     {"resource": "nodes", "name": n, "apiVersion": "v1", "subresource": "status"},
                     ua="kubelet/v1.30.1 (linux/amd64) kubernetes/6911225", ip=ip)
            elif kind < 0.75:
                ns = rng.choice(namespaces)
                secret = f"tls-{rng.randrange(20)}"
                emit("get", f"/api/v1/namespaces/{ns}/secrets/{secret}", f"system:node:{n}",
                     {"resource": "secrets", "namespace": ns, "name": secret, "apiVersion": "v1"},
                     ua="kubelet/v1.30.1 (linux/amd64) kubernetes/6911225", ip=ip)
            else:
                ns = rng.choice(namespaces)
                emit("create", f"/api/v1/namespaces/{ns}/serviceaccounts/app/token", f"system:node:{n}",
                     {"resource": "serviceaccounts", "namespace": ns, "name": "app", "apiVersion": "v1",
                      "subresource": "token"}, code=201, ua="kubelet/v1.30.1 (linux/amd64) kubernetes/6911225", ip=ip)
        elif r < 0.62:
            c = rng.choice(controllers[2:])
            ns = rng.choice(namespaces)
            emit("watch", f"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={rng.randrange(10**7)}", c,
                 {"resource": "pods", "namespace": ns, "apiVersion": "v1"},
                 stages=("ResponseStarted", "ResponseComplete"), ua="kube-controller-manager/v1.30.1", ip="10.0.0.2")
        elif r < 0.70:
            emit("list", "/api/v1/pods?limit=500", "system:serviceaccount:monitoring:worker",
                 {"resource": "pods", "apiVersion": "v1"}, ua="Prometheus/2.51.0", ip="10.244.2.9")
        elif r < 0.78:
            sa = rng.choice(sas)
            ns = sa.split(":")[2]
            emit("get", f"/api/v1/namespaces/{ns}/configmaps/settings", sa,
                 {"resource": "configmaps", "namespace": ns, "name": "settings", "apiVersion": "v1"},
                 ua="app/2.0", ip=f"10.244.{namespaces.index(ns)}.{rng.randrange(2, 250)}")
        elif r < 0.84:
            ns = rng.choice(namespaces)
            emit("create", f"/api/v1/namespaces/{ns}/pods", "system:serviceaccount:kube-system:replicaset-controller",
                 {"resource": "pods", "namespace": ns, "apiVersion": "v1"}, code=201, level="Request", req=POD,
                 stages=("RequestReceived", "ResponseComplete"), ua="kube-controller-manager/v1.30.1", ip="10.0.0.2")
        else:
            d = rng.choice(devs)
            ns = rng.choice(namespaces)
            code = 403 if rng.random() < 0.04 else (404 if rng.random() < 0.03 else 200)
            verb, res = rng.choice((("get", "pods"), ("list", "pods"), ("get", "deployments"), ("list", "services"),
                                    ("get", "configmaps")))
            obj = {"resource": res, "namespace": ns, "apiVersion": "v1"}
            uri = f"/api/v1/namespaces/{ns}/{res}"
            if verb == "get":
                obj["name"] = f"{res}-{rng.randrange(50)}"
                uri += "/" + obj["name"]
            emit(verb, uri, d, obj, code=code, ip=f"10.1.0.{devs.index(d) + 2}")
    out.close()


if __name__ == "__main__":
    main()
