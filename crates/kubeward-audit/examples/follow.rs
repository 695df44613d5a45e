//! Follows a live audit log (as written by `--audit-log-path`) and prints findings as they
//! happen, surviving rotation.
//!
//! `cargo run -p kubeward-audit --example follow -- /var/log/kubernetes/audit.log [polls]`
//! (polls every 500 ms; stops after `polls` polls, default 120).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use kubeward_audit::{Config, Engine, Follower, StartAt};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: follow AUDIT_LOG [POLLS]");
        std::process::exit(2);
    };
    let polls: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(120);
    let mut engine = Engine::new(Config::default()).map_err(std::io::Error::other)?;
    let mut follower = Follower::open(&path, StartAt::End)?;
    let mut findings = Vec::new();
    for _ in 0..polls {
        let (lines, report) = follower.poll()?;
        if report.rotated || report.truncated {
            eprintln!(
                "{path}: reopened (rotated: {}, truncated: {})",
                report.rotated, report.truncated
            );
        }
        for line in &lines {
            match line.parse() {
                Ok(doc) => {
                    engine.process_document(&doc, &mut findings);
                }
                Err(e) => eprintln!("{path}:{}: {e}", line.line),
            }
        }
        for f in findings.drain(..) {
            println!("{f}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok(())
}
