//! Parsing and checking never panic, whatever the input.

use proptest::prelude::*;

fn dockerfileish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("FROM ".to_owned()),
        Just("RUN ".to_owned()),
        Just("COPY ".to_owned()),
        Just("ONBUILD ".to_owned()),
        Just("ENV ".to_owned()),
        Just("ARG ".to_owned()),
        Just("USER ".to_owned()),
        Just("HEALTHCHECK ".to_owned()),
        Just("<<EOF".to_owned()),
        Just("<<-'E'".to_owned()),
        Just("EOF".to_owned()),
        Just("\\\n".to_owned()),
        Just("`\n".to_owned()),
        Just("\n".to_owned()),
        Just("# escape=`\n".to_owned()),
        Just("${A:-".to_owned()),
        Just("}".to_owned()),
        Just("[\"".to_owned()),
        Just("\"]".to_owned()),
        Just("--mount=type=cache,target=/x ".to_owned()),
        Just(" | sh".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("é😀".to_owned()),
        "[ -~]{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn structured_input_never_panics(text in dockerfileish()) {
        let df = kubeward_dockerfile::parse(&text);
        let _ = kubeward_dockerfile::check(&df);
        for e in &df.errors {
            prop_assert!(e.span.start.line >= 1 && e.span.start.col >= 1);
        }
    }

    #[test]
    fn arbitrary_input_never_panics(text in "\\PC{0,300}") {
        let df = kubeward_dockerfile::parse(&text);
        let _ = kubeward_dockerfile::check(&df);
    }
}

#[test]
fn pathological_inputs_stay_bounded() {
    let mut stages = String::from("FROM alpine:3.20 AS s0\n");
    for i in 1..5000 {
        stages.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
    }
    let df = kubeward_dockerfile::parse(&stages);
    assert!(df.errors.is_empty());
    assert!(
        kubeward_dockerfile::check(&df)
            .iter()
            .any(|f| f.check.id == "final-stage-root" && f.message.contains("stage 0"))
    );
    let inputs = [
        format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(5000)),
        format!("FROM a\nRUN {}\n", "$(".repeat(5000)),
        format!("FROM a\nCMD {}\n", "[".repeat(5000)),
        format!("FROM a:{}x{}\n", "${A:-".repeat(500), "}".repeat(500)),
        format!(
            "ARG A={}\nFROM ${{A#{}}}\n",
            "a".repeat(5000),
            "*a".repeat(200)
        ),
        format!("FROM a\nRUN <<EOF\n{}", "line\n".repeat(5000)),
    ];
    for text in &inputs {
        let df = kubeward_dockerfile::parse(text);
        let _ = kubeward_dockerfile::check(&df);
    }
}
