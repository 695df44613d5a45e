//! Checks about the image as a whole: user, base images, exposed ports, health checks.

use std::collections::BTreeMap;

use super::{CheckInfo, Ctx, Finding, finding};
use crate::ast::{BaseKind, ImageRef, Keyword, ParsedDockerfile};
use crate::expand::expand;

/// Variables visible at instruction `before` of stage `stage`: ENV of the stages it is
/// built from, then ENV and ARG (with meta-argument defaults) of the stage itself.
fn vars_at(df: &ParsedDockerfile, stage: usize, before: usize) -> BTreeMap<String, Option<String>> {
    let mut meta: BTreeMap<String, Option<String>> = BTreeMap::new();
    for &i in &df.meta_args {
        for p in df.instructions.get(i).map_or(&[][..], |x| x.pairs()) {
            meta.insert(p.key.clone(), p.value.clone());
        }
    }
    let mut chain = vec![stage];
    let mut cur = stage;
    while let Some(BaseKind::Stage(j)) = df.stages.get(cur).map(|s| &s.base.kind) {
        if *j >= cur || chain.len() > df.stages.len() {
            break;
        }
        chain.push(*j);
        cur = *j;
    }
    let mut vars = BTreeMap::new();
    for &s in chain.iter().rev() {
        let Some(st) = df.stages.get(s) else { continue };
        for &i in &st.instructions {
            if s == stage && i >= before {
                break;
            }
            let Some(instr) = df.instructions.get(i) else {
                continue;
            };
            match instr.keyword {
                Keyword::Env => {
                    for p in instr.pairs() {
                        vars.insert(p.key.clone(), p.value.clone());
                    }
                }
                Keyword::Arg if s == stage => {
                    for p in instr.pairs() {
                        let v = p
                            .value
                            .clone()
                            .or_else(|| meta.get(&p.key).cloned().flatten());
                        vars.insert(p.key.clone(), v);
                    }
                }
                _ => {}
            }
        }
    }
    vars
}

enum User {
    /// `USER root`/`0` at this instruction.
    Root(usize),
    NonRoot,
    /// A variable without value: decided at build time.
    Unknown,
    /// No `USER` anywhere in the chain: the default user of the base of this stage (the
    /// first stage of the chain that is built on something other than a stage).
    Default(usize),
}

fn effective_user(df: &ParsedDockerfile, mut stage: usize) -> User {
    // Walk down the chain of stages built on earlier stages (indices strictly decrease).
    loop {
        let Some(st) = df.stages.get(stage) else {
            return User::Unknown;
        };
        let last_user = st.instructions.iter().rev().find_map(|&i| {
            df.instructions
                .get(i)
                .filter(|x| x.keyword == Keyword::User)
                .map(|x| (i, x))
        });
        if let Some((idx, instr)) = last_user {
            return user_of(df, stage, idx, instr);
        }
        match &st.base.kind {
            BaseKind::Stage(j) if *j < stage => stage = *j,
            BaseKind::Image(r) if r.tag.as_deref().is_some_and(|t| t.contains("nonroot")) => {
                return User::NonRoot;
            }
            _ => return User::Default(stage),
        }
    }
}

fn user_of(
    df: &ParsedDockerfile,
    stage: usize,
    idx: usize,
    instr: &crate::ast::Instruction,
) -> User {
    let raw = instr.words().first().map_or("", |w| w.raw.as_str());
    let vars = vars_at(df, stage, idx);
    let lookup = |n: &str| vars.get(n).cloned().flatten();
    let Ok(ex) = expand(raw, df.escape, &lookup) else {
        return User::Unknown;
    };
    if !ex.is_complete() {
        return User::Unknown;
    }
    let user = ex.value.split(':').next().unwrap_or("").trim();
    if user.is_empty() {
        return User::Unknown;
    }
    if user == "root" || user.chars().all(|c| c == '0') {
        User::Root(idx)
    } else {
        User::NonRoot
    }
}

pub(crate) fn final_stage_root(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    let df = ctx.df;
    let Some(last) = df.final_stage() else { return };
    let Some(from) = df.instructions.get(last.from) else {
        return;
    };
    match effective_user(df, last.index) {
        User::Root(idx) => {
            let Some(instr) = df.instructions.get(idx) else {
                return;
            };
            let mut f = finding(
                info,
                instr,
                "the last `USER` of the final stage is root".to_owned(),
            );
            if instr.stage != Some(last.index) {
                f = finding(
                    info,
                    from,
                    format!(
                        "the final stage inherits `USER root` from stage {}",
                        instr.stage.map_or(0, |s| s)
                    ),
                );
            }
            out.push(f);
        }
        User::Default(root) => {
            let Some(base) = df.stages.get(root).map(|s| &s.base) else {
                return;
            };
            let via = if root == last.index {
                String::new()
            } else {
                format!(" (built on stage {root})")
            };
            let message = match &base.kind {
                BaseKind::Scratch => format!(
                    "the final stage{via} has no `USER`: a `scratch` image runs as root (uid 0)"
                ),
                BaseKind::Unresolved => format!(
                    "the final stage{via} has no `USER`: it runs as the default user of `{}`, chosen at build time and root for most images",
                    base.raw
                ),
                _ => format!(
                    "the final stage{via} has no `USER`: it runs as the default user of `{}`, which is root for most images",
                    base.resolved.as_deref().unwrap_or(&base.raw)
                ),
            };
            out.push(finding(info, from, message));
        }
        User::NonRoot | User::Unknown => {}
    }
}

fn image_refs<'a>(ctx: &Ctx<'a>) -> Vec<(&'a crate::ast::Instruction, String, ImageRef)> {
    let df = ctx.df;
    let mut refs = Vec::new();
    for st in &df.stages {
        if let (BaseKind::Image(r), Some(instr), Some(res)) = (
            &st.base.kind,
            df.instructions.get(st.from),
            st.base.resolved.as_ref(),
        ) {
            refs.push((instr, res.clone(), r.clone()));
        }
    }
    // `COPY --from=image` naming an image instead of a stage.
    for (outer, instr) in ctx.effective() {
        if instr.keyword != Keyword::Copy {
            continue;
        }
        let Some(from) = instr.flag_value("from") else {
            continue;
        };
        let stage = outer.stage.unwrap_or(0);
        // A bare name (`--from=deps`) may be a named build context rather than an image.
        if from.contains('$')
            || !from.contains(['/', ':', '@'])
            || df.stage_by_name(from, stage + 1).is_some()
        {
            continue;
        }
        refs.push((outer, from.to_owned(), ImageRef::parse(from)));
    }
    refs
}

pub(crate) fn base_image_unpinned(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (instr, name, r) in image_refs(ctx) {
        if r.digest.is_some() {
            continue;
        }
        let message = match r.tag.as_deref() {
            None => format!("image `{name}` has no tag, so it means `latest`"),
            Some("latest") => format!("image `{name}` uses the mutable `latest` tag"),
            Some(_) => continue,
        };
        out.push(finding(info, instr, message));
    }
}

pub(crate) fn base_image_no_digest(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    for (instr, name, r) in image_refs(ctx) {
        if r.digest.is_none() && r.tag.as_deref().is_some_and(|t| t != "latest") {
            out.push(finding(
                info,
                instr,
                format!("image `{name}` is pinned by tag only, not by digest"),
            ));
        }
    }
}

/// Whether an `EXPOSE` word (`22`, `22/tcp`, `20-25/tcp`) covers port 22.
fn covers_ssh(word: &str) -> bool {
    let port = word.split('/').next().unwrap_or("");
    match port.split_once('-') {
        Some((a, b)) => match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(a), Ok(b)) => a <= 22 && 22 <= b,
            _ => false,
        },
        None => port.parse::<u32>() == Ok(22),
    }
}

pub(crate) fn expose_ssh(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (outer, instr) in ctx.effective() {
        if instr.keyword != Keyword::Expose {
            continue;
        }
        if let Some(w) = instr.words().iter().find(|w| covers_ssh(&w.value)) {
            out.push(finding(
                info,
                outer,
                format!("`EXPOSE {}` publishes the SSH port", w.value),
            ));
        }
    }
}

pub(crate) fn missing_healthcheck(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    let df = ctx.df;
    let Some(last) = df.final_stage() else { return };
    let has = df.stages.iter().any(|st| {
        ctx.final_image(Some(st.index))
            && df
                .stage_instructions(st)
                .any(|i| i.keyword == Keyword::Healthcheck)
    });
    if has {
        return;
    }
    if let Some(from) = df.instructions.get(last.from) {
        out.push(finding(
            info,
            from,
            "the final stage defines no `HEALTHCHECK`".to_owned(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_ports() {
        assert!(covers_ssh("22"));
        assert!(covers_ssh("22/tcp"));
        assert!(covers_ssh("20-30/udp"));
        assert!(!covers_ssh("2222"));
        assert!(!covers_ssh("$PORT"));
    }
}
