fn main() {
    std::process::exit(portfolio_sync::cli::main());
}
