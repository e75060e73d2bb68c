//! Turning process signals into one control enum: SIGINT/SIGTERM → drain, a second one → quit;
//! and SIGHUP into a stream of reload requests ([`hangups`]).

use tokio::signal::unix::{signal, SignalKind};

/// What a signal asks the daemon to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Stop taking new inputs, finish those in flight, exit 0.
    Drain,
    /// Exit now; unfinished inputs stay in the inbox.
    Quit,
}

/// Resolves on the first SIGINT or SIGTERM.
///
/// # Errors
/// If the signal handlers cannot be installed.
pub async fn first_signal() -> std::io::Result<Control> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(Control::Drain)
}

/// Resolves on any later SIGINT, SIGTERM or SIGQUIT: the operator wants out now.
///
/// # Errors
/// If the signal handlers cannot be installed.
pub async fn second_signal() -> std::io::Result<Control> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut quit = signal(SignalKind::quit())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = quit.recv() => {}
    }
    Ok(Control::Quit)
}

/// A stream of SIGHUPs (reload requests). Installing it stops SIGHUP from killing the process,
/// so call it before the daemon reports ready.
///
/// # Errors
/// If the signal handler cannot be installed.
pub fn hangups() -> std::io::Result<tokio::signal::unix::Signal> {
    signal(SignalKind::hangup())
}

/// Keeps SIGHUP from killing a process that cannot reload its config (the NATS relay and
/// worker): each one is logged with what to do instead.
///
/// # Errors
/// If the signal handler cannot be installed.
pub fn ignore_hangups(role: &'static str) -> std::io::Result<()> {
    let mut hup = hangups()?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            tracing::warn!(
                role,
                "SIGHUP ignored: the {role} reads its config only at start; restart it to apply changes"
            );
        }
    });
    Ok(())
}
