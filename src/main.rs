use std::io::Write;

fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let code = ramlint::cli::run(std::env::args_os(), &mut stdin.lock(), &mut out, &mut err);
    // A closed pipe (`ramlint check | head`) is not an error worth reporting.
    let _ = out.flush();
    drop(out);
    std::process::exit(code);
}
