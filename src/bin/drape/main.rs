//! The `drape` command line. Errors become one line on stderr and exit code 2.
//!
//! `cli` is the arguments' shape, `assemble` builds the library's parts from them, `ends` opens
//! the sources and sinks they name, `commands` runs each command; `bench` is `drape bench`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;

use drape::analysis::manifest::ModelDir;
use drape::capture;
use drape::pipeline::PhotoJob;

mod assemble;
mod bench;
mod choices;
mod cli;
mod commands;
mod ends;
mod fault;

use assemble::runtime_options;
use cli::{Cli, Command};
use commands::{cameras, demo, first_run, live, process_photos, process_video};

fn main() -> ExitCode {
    quiet_mesa();
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: what is wrong and what to do, then the causes under it.
            eprintln!("drape: error: {}", drape::error::report(&*e));
            ExitCode::from(2)
        }
    }
}

/// Mesa's Vulkan drivers complain on every start when XDG_RUNTIME_DIR is unset (containers, CI):
/// give them a private one. Runs first in main, before any thread exists.
fn quiet_mesa() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
        return;
    }
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("drape-runtime-{uid}"));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    if std::fs::metadata(&dir).is_ok_and(|m| m.is_dir() && m.uid() == uid) {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("drape={level},ort=warn,wgpu_hal=error,wgpu_core=error,naga=warn")));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

/// Ctrl-C asks the pipeline to stop (recordings are finalised); a second one exits at once.
/// The handler is installed once per process; when it cannot be, the user is told that Ctrl-C
/// would end drape without finalising what it writes.
pub fn stop_flag() -> Arc<AtomicBool> {
    static STOP: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    STOP.get_or_init(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let handler = ctrlc::set_handler(move || {
            if s.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("drape: stopping (Ctrl-C again to quit at once)");
        });
        if let Err(e) = handler {
            tracing::warn!("cannot catch Ctrl-C ({e}): it would end drape without finalising a recording; stop with Q or --frames instead");
        }
        stop
    })
    .clone()
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = cli.global;
    let dir = ModelDir::locate(g.models.clone())?;
    match cli.command {
        Some(Command::Doctor) => {
            let (text, ok) = drape::doctor::report(&dir, &runtime_options(&g, &dir));
            // `drape doctor | head` closes stdout early: no panic for it.
            if std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()).is_err() {
                tracing::debug!("stdout is closed");
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Some(Command::Process(a)) => {
            if a.inputs.len() == 1 && capture::is_video_input(&a.inputs[0]) {
                return process_video(&g, &dir, &a);
            }
            let job = PhotoJob {
                inputs: a.inputs,
                output: a.output,
                style: a.look.style.clone(),
                parts: a.look.parts,
                strength: a.look.strength,
                preserve_colour: a.look.preserve_colour,
                view: a.look.view.into(),
                feather: a.look.feather,
                maps: a.maps,
            };
            process_photos(&g, &dir, &a.look, &job, a.timings)
        }
        Some(Command::Live(a)) => live(&g, &dir, a),
        Some(Command::Cameras) => cameras(),
        Some(Command::Bench(a)) => bench::run(&g, &dir, a),
        Some(Command::Demo { output }) => demo(&g, &dir, output),
        None => first_run(&g, &dir),
    }
}
