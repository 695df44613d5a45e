//! Whole-cluster connectivity, computed over equivalence classes.
//!
//! Pods with the same namespace, labels and named ports form a class ([`crate::index`]).
//! Classes are grouped again by behaviour: as a *source* by (policies isolating them for
//! egress, ingress peers they match); as a *destination* by (policies isolating them for
//! ingress, egress peers they match, resolution of every referenced named port). External
//! address ranges are grouped by the ipBlocks they fall in. Connectivity is computed once per
//! (source group, destination group) and expanded to workloads at the end.

use std::collections::HashMap;

use crate::index::{Index, Peer, has_named, resolve_ports};
use crate::ip::Family;
use crate::policy::{IpBlock, PeerKind, Rule};
use crate::ports::{PortSet, Protocol};
use crate::selector::Selector;

#[derive(Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

#[derive(PartialEq, Eq, Hash)]
struct PeerKey<'a> {
    scope: Option<usize>,
    ns: Option<&'a Selector>,
    pods: Option<&'a Selector>,
}

/// A rule with its peers resolved to ids.
struct CRule<'a> {
    rule: &'a Rule,
    all_peers: bool,
    sets: Vec<u32>,
    blocks: Vec<u32>,
    static_ports: Option<PortSet>,
}

#[derive(Default)]
struct Side<'a> {
    keys: HashMap<PeerKey<'a>, u32>,
    sets: Vec<Vec<u32>>,
    block_keys: HashMap<&'a IpBlock, u32>,
    blocks: Vec<&'a IpBlock>,
    rules: Vec<CRule<'a>>,
    /// Per policy: indices into `rules`.
    by_policy: Vec<Vec<u32>>,
}

fn compile<'a>(ix: &'a Index, ingress: bool) -> Side<'a> {
    let mut side = Side {
        by_policy: vec![Vec::new(); ix.policies.len()],
        ..Side::default()
    };
    for (pi, p) in ix.policies.iter().enumerate() {
        let (applies, rules) = if ingress {
            (p.ingress_type, &p.ingress)
        } else {
            (p.egress_type, &p.egress)
        };
        if !applies {
            continue;
        }
        let scope = ix.ns_by_name.get(&p.r.namespace).copied();
        for rule in rules {
            let mut cr = CRule {
                rule,
                all_peers: rule.peers.is_none(),
                sets: Vec::new(),
                blocks: Vec::new(),
                static_ports: (!has_named(rule.ports.as_deref()))
                    .then(|| resolve_ports(rule.ports.as_deref(), Peer::Ip(Family::V4, 0))),
            };
            for peer in rule.peers.iter().flatten() {
                match &peer.kind {
                    PeerKind::Pods { ns, pods } => {
                        let key = PeerKey {
                            scope: if ns.is_none() { scope } else { None },
                            ns: ns.as_ref(),
                            pods: pods.as_ref(),
                        };
                        let next = u32::try_from(side.sets.len()).unwrap_or(u32::MAX);
                        let id = *side.keys.entry(key).or_insert(next);
                        if id == next {
                            side.sets
                                .push(match_set(ix, scope, ns.as_ref(), pods.as_ref()));
                        }
                        if !cr.sets.contains(&id) {
                            cr.sets.push(id);
                        }
                    }
                    PeerKind::Block(b) => {
                        let next = u32::try_from(side.blocks.len()).unwrap_or(u32::MAX);
                        let id = *side.block_keys.entry(b).or_insert(next);
                        if id == next {
                            side.blocks.push(b);
                        }
                        if !cr.blocks.contains(&id) {
                            cr.blocks.push(id);
                        }
                    }
                }
            }
            let ri = u32::try_from(side.rules.len()).unwrap_or(u32::MAX);
            side.rules.push(cr);
            if let Some(v) = side.by_policy.get_mut(pi) {
                v.push(ri);
            }
        }
    }
    side
}

fn match_set(
    ix: &Index,
    scope: Option<usize>,
    ns: Option<&Selector>,
    pods: Option<&Selector>,
) -> Vec<u32> {
    let namespaces: Vec<usize> = match ns {
        None => scope.into_iter().collect(),
        Some(sel) => ix
            .ns_labels
            .iter()
            .enumerate()
            .filter(|(_, l)| sel.matches(l))
            .map(|(i, _)| i)
            .collect(),
    };
    let mut out = Vec::new();
    for n in namespaces {
        for &ci in ix.classes_by_ns.get(n).into_iter().flatten() {
            if let Some(c) = ix.class(ci)
                && pods.is_none_or(|s| s.matches(&c.labels))
            {
                out.push(u32::try_from(ci).unwrap_or(u32::MAX));
            }
        }
    }
    out
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn group<K: std::hash::Hash + Eq>(keys: Vec<K>) -> (Vec<u32>, Vec<usize>) {
    let mut map: HashMap<K, u32> = HashMap::new();
    let mut of = Vec::with_capacity(keys.len());
    let mut reps = Vec::new();
    for (i, k) in keys.into_iter().enumerate() {
        let next = idx(reps.len());
        let g = *map.entry(k).or_insert(next);
        if g == next {
            reps.push(i);
        }
        of.push(g);
    }
    (of, reps)
}

/// Calls `sink` with every allowed (source endpoint, destination endpoint, ports), sorted by
/// endpoint index (workloads first, then external ranges).
pub(crate) fn compute(ix: &Index, mut sink: impl FnMut(u32, u32, &PortSet)) {
    let nc = ix.classes.len();
    let ins = compile(ix, true);
    let outs = compile(ix, false);

    // Isolation per class.
    let mut sel_in: Vec<Vec<u32>> = vec![Vec::new(); nc];
    let mut sel_out: Vec<Vec<u32>> = vec![Vec::new(); nc];
    for (ci, c) in ix.classes.iter().enumerate() {
        for (pi, p) in ix.selecting(c) {
            if p.ingress_type
                && let Some(v) = sel_in.get_mut(ci)
            {
                v.push(idx(pi));
            }
            if p.egress_type
                && let Some(v) = sel_out.get_mut(ci)
            {
                v.push(idx(pi));
            }
        }
    }
    // Peer hits per class.
    let mut in_hits: Vec<Vec<u32>> = vec![Vec::new(); nc];
    for (s, set) in ins.sets.iter().enumerate() {
        for &c in set {
            if let Some(v) = in_hits.get_mut(c as usize) {
                v.push(idx(s));
            }
        }
    }
    let mut out_hits: Vec<Vec<u32>> = vec![Vec::new(); nc];
    for (s, set) in outs.sets.iter().enumerate() {
        for &c in set {
            if let Some(v) = out_hits.get_mut(c as usize) {
                v.push(idx(s));
            }
        }
    }
    // Named ports referenced anywhere.
    let mut named: Vec<(Protocol, &str)> = Vec::new();
    for r in ins.rules.iter().chain(&outs.rules) {
        for (_, spec) in r.rule.ports.iter().flatten() {
            if let crate::policy::PortSpec::Named(p, n) = spec {
                named.push((*p, n.as_str()));
            }
        }
    }
    named.sort_unstable();
    named.dedup();
    let port_key = |ci: usize| -> Vec<Option<u16>> {
        ix.class(ci)
            .map(|c| {
                named
                    .iter()
                    .map(|(p, n)| crate::index::named_port(c, n, *p))
                    .collect()
            })
            .unwrap_or_default()
    };

    let (src_of, src_reps) = group(
        (0..nc)
            .map(|c| (sel_out.get(c).cloned(), in_hits.get(c).cloned()))
            .collect(),
    );
    let (dst_of, dst_reps) = group(
        (0..nc)
            .map(|c| {
                (
                    sel_in.get(c).cloned(),
                    out_hits.get(c).cloned(),
                    port_key(c),
                )
            })
            .collect(),
    );
    let nsg = src_reps.len();
    let ndg = dst_reps.len();

    // External address groups.
    let atom_keys: Vec<(Vec<u32>, Vec<u32>)> = ix
        .atoms
        .iter()
        .map(|&(f, lo, _)| {
            let hit = |side: &Side<'_>| -> Vec<u32> {
                side.blocks
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.contains(f, lo))
                    .map(|(i, _)| idx(i))
                    .collect()
            };
            (hit(&ins), hit(&outs))
        })
        .collect();
    let (ip_of, ip_reps) = group(atom_keys);
    let nig = ip_reps.len();
    let ip_rep_addr: Vec<(Family, u128)> = ip_reps
        .iter()
        .filter_map(|&a| ix.atoms.get(a).map(|&(f, lo, _)| (f, lo)))
        .collect();

    // Inverted lists: ingress peer set -> source groups, ingress block -> ip groups.
    let invert = |sets: &Vec<Vec<u32>>, of: &Vec<u32>| -> Vec<Vec<u32>> {
        sets.iter()
            .map(|set| {
                let mut g: Vec<u32> = set
                    .iter()
                    .filter_map(|&c| of.get(c as usize).copied())
                    .collect();
                g.sort_unstable();
                g.dedup();
                g
            })
            .collect()
    };
    let in_set_groups = invert(&ins.sets, &src_of);
    let out_set_groups = invert(&outs.sets, &dst_of);
    let block_groups = |side: &Side<'_>| -> Vec<Vec<u32>> {
        side.blocks
            .iter()
            .map(|b| {
                ip_rep_addr
                    .iter()
                    .enumerate()
                    .filter(|(_, (f, v))| b.contains(*f, *v))
                    .map(|(g, _)| idx(g))
                    .collect()
            })
            .collect()
    };
    let in_block_groups = block_groups(&ins);
    let out_block_groups = block_groups(&outs);

    // Egress rules: destination groups and ip groups they reach.
    let out_dst: Vec<(Bits, Bits)> = outs
        .rules
        .iter()
        .map(|r| {
            let mut d = Bits::new(ndg);
            let mut g = Bits::new(nig);
            for &s in &r.sets {
                for &x in out_set_groups.get(s as usize).into_iter().flatten() {
                    d.set(x as usize);
                }
            }
            for &b in &r.blocks {
                for &x in out_block_groups.get(b as usize).into_iter().flatten() {
                    g.set(x as usize);
                }
            }
            (d, g)
        })
        .collect();
    let src_rules: Vec<Option<Vec<u32>>> = src_reps
        .iter()
        .map(|&c| {
            let pols = sel_out.get(c)?;
            if pols.is_empty() {
                return None;
            }
            Some(
                pols.iter()
                    .flat_map(|&p| {
                        outs.by_policy
                            .get(p as usize)
                            .into_iter()
                            .flatten()
                            .copied()
                    })
                    .collect(),
            )
        })
        .collect();

    let egress_to = |sg: usize, dst: Option<(usize, Peer<'_>)>, ipg: Option<usize>| -> PortSet {
        let Some(Some(rules)) = src_rules.get(sg) else {
            return PortSet::all();
        };
        let mut acc = PortSet::none();
        for &ri in rules {
            let (Some(r), Some((dbits, gbits))) =
                (outs.rules.get(ri as usize), out_dst.get(ri as usize))
            else {
                continue;
            };
            let hit = r.all_peers
                || match (dst, ipg) {
                    (Some((dg, _)), _) => dbits.get(dg),
                    (None, Some(g)) => gbits.get(g),
                    _ => false,
                };
            if !hit {
                continue;
            }
            let ports = match (&r.static_ports, dst) {
                (Some(p), _) => p.clone(),
                (None, Some((_, peer))) => resolve_ports(r.rule.ports.as_deref(), peer),
                (None, None) => resolve_ports(r.rule.ports.as_deref(), Peer::Ip(Family::V4, 0)),
            };
            acc = acc.union(&ports);
            if acc.is_all() {
                break;
            }
        }
        acc
    };

    let src_isolated: Vec<bool> = src_rules.iter().map(Option::is_some).collect();
    // Group level, destination-major: (source key, destination group, ports id). Source keys
    // are source groups, then `nsg + ip group`.
    let mut interner = Interner::default();
    let mut triples: Vec<(u32, u32, u32)> = Vec::new();
    let mut row: Vec<Option<PortSet>> = vec![None; nsg + nig];
    let mut touched: Vec<usize> = Vec::new();
    for (dg, &dc) in dst_reps.iter().enumerate() {
        let Some(dclass) = ix.class(dc) else { continue };
        let dpeer = Peer::Pod(dclass);
        let pols = sel_in.get(dc).map_or(&[][..], Vec::as_slice);
        let mut everyone = PortSet::none();
        if pols.is_empty() {
            everyone = PortSet::all();
        } else {
            for &p in pols {
                for &ri in ins.by_policy.get(p as usize).into_iter().flatten() {
                    let Some(r) = ins.rules.get(ri as usize) else {
                        continue;
                    };
                    let ports = match &r.static_ports {
                        Some(p) => p.clone(),
                        None => resolve_ports(r.rule.ports.as_deref(), dpeer),
                    };
                    if ports.is_empty() {
                        continue;
                    }
                    if r.all_peers {
                        everyone = everyone.union(&ports);
                        continue;
                    }
                    let targets = r
                        .sets
                        .iter()
                        .flat_map(|&s| {
                            in_set_groups
                                .get(s as usize)
                                .into_iter()
                                .flatten()
                                .map(|&g| g as usize)
                        })
                        .chain(r.blocks.iter().flat_map(|&b| {
                            in_block_groups
                                .get(b as usize)
                                .into_iter()
                                .flatten()
                                .map(|&g| nsg + g as usize)
                        }));
                    for t in targets {
                        if let Some(slot) = row.get_mut(t) {
                            match slot {
                                Some(cur) => *cur = cur.union(&ports),
                                None => {
                                    *slot = Some(ports.clone());
                                    touched.push(t);
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut emit = |t: usize, ing: u32, interner: &mut Interner| {
            let res = if t < nsg && src_isolated.get(t).copied().unwrap_or(false) {
                let eg = interner.id(egress_to(t, Some((dg, dpeer)), None));
                interner.intersect(ing, eg)
            } else {
                ing
            };
            if !interner.is_empty(res) {
                triples.push((idx(t), idx(dg), res));
            }
        };
        if everyone.is_empty() {
            for &t in &touched {
                if let Some(ing) = row.get_mut(t).and_then(Option::take) {
                    let ing = interner.id(ing);
                    emit(t, ing, &mut interner);
                }
            }
        } else {
            let everyone_id = interner.id(everyone.clone());
            for t in 0..nsg + nig {
                let ing = match row.get_mut(t).and_then(Option::take) {
                    Some(p) => interner.id(p.union(&everyone)),
                    None => everyone_id,
                };
                emit(t, ing, &mut interner);
            }
        }
        touched.clear();
    }
    // Transpose to source-major rows (counting sort).
    let nkeys = nsg + nig;
    let mut offsets = vec![0usize; nkeys + 1];
    for &(k, _, _) in &triples {
        if let Some(o) = offsets.get_mut(k as usize + 1) {
            *o += 1;
        }
    }
    for i in 0..nkeys {
        let prev = offsets.get(i).copied().unwrap_or(0);
        if let Some(o) = offsets.get_mut(i + 1) {
            *o += prev;
        }
    }
    let mut fill = offsets.clone();
    let mut rows: Vec<(u32, u32)> = vec![(0, 0); triples.len()];
    for (k, d, p) in triples {
        if let Some(pos) = fill.get_mut(k as usize) {
            if let Some(slot) = rows.get_mut(*pos) {
                *slot = (d, p);
            }
            *pos += 1;
        }
    }
    let row_of = |k: usize| -> &[(u32, u32)] {
        let (Some(&a), Some(&b)) = (offsets.get(k), offsets.get(k + 1)) else {
            return &[];
        };
        rows.get(a..b).unwrap_or(&[])
    };
    // Pods to external ranges (external destinations are never isolated).
    let src_ip: Vec<Vec<(u32, u32)>> = (0..nsg)
        .map(|sg| {
            (0..nig)
                .filter_map(|g| {
                    let eg = egress_to(sg, None, Some(g));
                    (!eg.is_empty()).then(|| (idx(g), interner.id(eg)))
                })
                .collect()
        })
        .collect();

    // Expand to endpoints, source by source, in order.
    let nw = ix.workloads.len();
    let nep = nw + ix.atoms.len();
    let mut dst_group_w: Vec<Vec<u32>> = vec![Vec::new(); ndg];
    for (ci, c) in ix.classes.iter().enumerate() {
        if let Some(v) = dst_of
            .get(ci)
            .and_then(|&d| dst_group_w.get_mut(d as usize))
        {
            v.extend(c.workloads.iter().map(|&w| idx(w)));
        }
    }
    for v in &mut dst_group_w {
        v.sort_unstable();
        v.dedup();
    }
    let mut ip_group_ep: Vec<Vec<u32>> = vec![Vec::new(); nig];
    for (a, &g) in ip_of.iter().enumerate() {
        if let Some(v) = ip_group_ep.get_mut(g as usize) {
            v.push(idx(nw + a));
        }
    }
    let mut slot: Vec<u32> = vec![NONE; nep];
    let mut hit: Vec<u32> = Vec::new();
    let mut keys: Vec<usize> = Vec::new();
    for src in 0..nep {
        keys.clear();
        let mut ip_rows: Vec<usize> = Vec::new();
        if let Some(w) = ix.workloads.get(src) {
            for &c in &w.classes {
                if let Some(&sg) = src_of.get(c) {
                    keys.push(sg as usize);
                    ip_rows.push(sg as usize);
                }
            }
            keys.sort_unstable();
            keys.dedup();
            ip_rows.sort_unstable();
            ip_rows.dedup();
        } else if let Some(&g) = ip_of.get(src - nw) {
            keys.push(nsg + g as usize);
        }
        let mut add = |b: u32, p: u32, interner: &mut Interner| {
            if let Some(cur) = slot.get_mut(b as usize) {
                if *cur == NONE {
                    *cur = p;
                    hit.push(b);
                } else if *cur != p {
                    *cur = interner.union(*cur, p);
                }
            }
        };
        for &k in &keys {
            for &(dg, p) in row_of(k) {
                for &b in dst_group_w.get(dg as usize).into_iter().flatten() {
                    add(b, p, &mut interner);
                }
            }
        }
        for &sg in &ip_rows {
            for &(g, p) in src_ip.get(sg).into_iter().flatten() {
                for &b in ip_group_ep.get(g as usize).into_iter().flatten() {
                    add(b, p, &mut interner);
                }
            }
        }
        if hit.len() * 8 > nep {
            // Dense: scan the slots in order instead of sorting.
            for (b, cur) in slot.iter_mut().enumerate() {
                if *cur != NONE {
                    if let Some(ps) = interner.get(*cur) {
                        sink(idx(src), idx(b), ps);
                    }
                    *cur = NONE;
                }
            }
        } else {
            hit.sort_unstable();
            for &b in &hit {
                if let Some(cur) = slot.get_mut(b as usize) {
                    if let Some(ps) = interner.get(*cur) {
                        sink(idx(src), b, ps);
                    }
                    *cur = NONE;
                }
            }
        }
        hit.clear();
    }
}

const NONE: u32 = u32::MAX;

/// FxHash-style hasher for integer keys (the engine's maps are keyed by small integers).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

/// Port sets by id, so rows hold 4-byte ids; unions and intersections of ids are cached.
#[derive(Default)]
struct Interner {
    by_ptr: FxMap<usize, u32>,
    by_value: HashMap<PortSet, u32>,
    sets: Vec<PortSet>,
    unions: FxMap<(u32, u32), u32>,
    intersections: FxMap<(u32, u32), u32>,
}

impl Interner {
    fn id(&mut self, p: PortSet) -> u32 {
        // Interned sets stay alive in `sets`, so an address seen here is never reused.
        if let Some(&i) = self.by_ptr.get(&p.addr()) {
            return i;
        }
        let next = idx(self.sets.len());
        let i = *self.by_value.entry(p.clone()).or_insert(next);
        if i == next {
            self.by_ptr.insert(p.addr(), i);
            self.sets.push(p);
        }
        i
    }

    fn get(&self, i: u32) -> Option<&PortSet> {
        self.sets.get(i as usize)
    }

    fn is_empty(&self, i: u32) -> bool {
        self.get(i).is_none_or(PortSet::is_empty)
    }

    fn intersect(&mut self, a: u32, b: u32) -> u32 {
        if a == b {
            return a;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&u) = self.intersections.get(&key) {
            return u;
        }
        let (Some(x), Some(y)) = (self.get(a), self.get(b)) else {
            return a;
        };
        let u = self.id(x.intersect(y));
        self.intersections.insert(key, u);
        u
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        let key = (a.min(b), a.max(b));
        if let Some(&u) = self.unions.get(&key) {
            return u;
        }
        let (Some(x), Some(y)) = (self.get(a), self.get(b)) else {
            return a;
        };
        let u = self.id(x.union(y));
        self.unions.insert(key, u);
        u
    }
}
