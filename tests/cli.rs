//! Shell completions and the man page come from the same clap definition as the command line itself.

mod support;

use support::{bin, text};

#[test]
fn completions_for_each_shell_know_the_subcommands() {
    for (shell, marker) in [
        ("bash", "_portfolio__sync() {"),
        ("zsh", "#compdef portfolio-sync"),
        ("fish", "complete -c portfolio-sync"),
    ] {
        let out = bin(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["init", "sync", "doctor", "check"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
    let out = bin(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let out = bin(&["man"]);
    assert!(out.status.success(), "{}", text(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH portfolio-sync 1"), "{page}");
    for sub in ["init", "sync", "doctor", "check", "completions"] {
        assert!(page.contains(sub), "the man page lacks {sub}");
    }
}

#[test]
fn every_option_and_argument_has_help_text() {
    use clap::CommandFactory;
    let cli = portfolio_sync::cli::Cli::command();
    let mut bare = Vec::new();
    for command in std::iter::once(&cli).chain(cli.get_subcommands()) {
        if command.get_about().is_none() {
            bare.push(format!("{} (the command)", command.get_name()));
        }
        for arg in command.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && arg.get_help().is_none() {
                bare.push(format!("{} {}", command.get_name(), arg.get_id()));
            }
        }
    }
    assert!(bare.is_empty(), "without help text: {bare:?}");
}
