//! Where the numbers were taken: date, CPU, memory, tool versions.

use std::process::Command;

/// The header of BENCHMARKS.md.
pub fn describe(command: &str) -> String {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = field(&cpuinfo, "model name").unwrap_or("unknown CPU");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_kb: u64 = field(&meminfo, "MemTotal")
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "- date: {date}\n- machine: {cores} cores ({model}), {:.1} GiB RAM, {}\n- versions: {}; {}; {}\n- command: `{command}`\n",
        ram_kb as f64 / 1_048_576.0,
        output("uname", &["-sr"]),
        output("rustc", &["--version"]),
        output("chromium", &["--version"]),
        output("chromedriver", &["--version"]).split(" (").next().unwrap_or_default(),
    )
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim())
}

fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| format!("{program}: not found"))
}
