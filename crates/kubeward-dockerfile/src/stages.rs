//! Build stages: meta arguments before the first `FROM`, base-image resolution with their
//! defaults, stage names and the stage each instruction belongs to.

use std::collections::BTreeMap;

use crate::ast::{BaseImage, BaseKind, ImageRef, Keyword, ParsedDockerfile, Stage};
use crate::error::{ParseError, ParseErrorKind};
use crate::expand::expand;

/// Arguments BuildKit defines automatically in the global scope; their values depend on the
/// build and are unknown to a static parser.
pub const AUTOMATIC_PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

pub(crate) fn build(df: &mut ParsedDockerfile) {
    let escape = df.escape;
    let mut meta: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (idx, instr) in df.instructions.iter_mut().enumerate() {
        if instr.keyword == Keyword::From {
            let index = stages.len();
            instr.stage = Some(index);
            let words = instr.words();
            let Some(image) = words.first() else {
                continue;
            };
            let lookup = |n: &str| meta.get(n).cloned().flatten();
            let expanded = match expand(&image.raw, escape, &lookup) {
                Ok(e) => Some(e),
                Err(message) => {
                    errors.push(ParseError::new(
                        ParseErrorKind::BadSubstitution { message },
                        image.span,
                    ));
                    None
                }
            };
            let resolved = expanded
                .as_ref()
                .filter(|e| e.is_complete())
                .map(|e| e.value.clone());
            let kind = match &resolved {
                None => BaseKind::Unresolved,
                Some(r) if r.eq_ignore_ascii_case("scratch") => BaseKind::Scratch,
                Some(r) => {
                    let lower = r.to_ascii_lowercase();
                    match names.get(&lower) {
                        Some(&i) => BaseKind::Stage(i),
                        None => BaseKind::Image(ImageRef::parse(r)),
                    }
                }
            };
            let name = words.get(2).map(|w| {
                let n = w.value.to_ascii_lowercase();
                if !valid_stage_name(&n) {
                    errors.push(ParseError::new(
                        ParseErrorKind::InvalidStageName { name: n.clone() },
                        w.span,
                    ));
                } else if names.contains_key(&n) {
                    errors.push(ParseError::new(
                        ParseErrorKind::DuplicateStageName { name: n.clone() },
                        w.span,
                    ));
                }
                n
            });
            if let Some(n) = &name {
                names.insert(n.clone(), index);
            }
            stages.push(Stage {
                index,
                name,
                base: BaseImage {
                    raw: image.raw.clone(),
                    resolved,
                    kind,
                    span: image.span,
                },
                platform: instr.flag_value("platform").map(str::to_owned),
                from: idx,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            instr.stage = Some(stage.index);
            stage.instructions.push(idx);
        } else if instr.keyword == Keyword::Arg {
            df.meta_args.push(idx);
            for pair in instr.pairs() {
                let value = pair.raw_value.as_ref().and_then(|raw| {
                    let lookup = |n: &str| meta.get(n).cloned().flatten();
                    expand(raw, escape, &lookup)
                        .ok()
                        .filter(|e| e.is_complete())
                        .map(|e| e.value)
                });
                meta.insert(pair.key.clone(), value);
            }
        } else if instr.keyword != Keyword::Unknown {
            errors.push(ParseError::new(
                ParseErrorKind::InstructionBeforeFrom {
                    instruction: instr.keyword.as_str(),
                },
                instr.keyword_span,
            ));
        }
    }
    df.stages = stages;
    df.errors.extend(errors);
}
