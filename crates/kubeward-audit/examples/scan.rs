//! Scans audit logs (JSON lines, plain or gzip) and prints findings and line errors.
//!
//! `cargo run -p kubeward-audit --example scan -- audit.log [more.log.gz ...]`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use kubeward_audit::{Config, Engine};

fn main() -> std::io::Result<()> {
    let mut engine = match Engine::new(Config::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("config: {e}");
            std::process::exit(2);
        }
    };
    for path in std::env::args().skip(1) {
        let report = engine.scan(std::fs::File::open(&path)?, &path)?;
        for e in &report.errors {
            eprintln!("{e}");
        }
        for f in &report.findings {
            println!("{f}");
            for (k, v) in &f.details {
                println!("    {k}: {v}");
            }
        }
    }
    eprintln!("{:?}", engine.stats());
    Ok(())
}
