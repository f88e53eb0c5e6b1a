//! The season overview of a 10,000,000-ticket venue, served by `jauge serve`: the time to
//! render it (median of 20 requests, one at a time, each after a change committed to the
//! database so that the server builds it from the store; then 20 served as kept), the requests
//! per second `wrk` gets from it, and the server's peak memory.
//!
//! `cargo bench -p jauge --bench season_page`. The venue is the demo's at scale 173, just over
//! 10 million tickets (set `JAUGE_BENCH_SCALE` for another size), built once with `jauge demo`
//! and kept under the target directory. `wrk` comes from Debian's package (`apt-get install wrk`); without it the
//! throughput is not measured. Goals on a 2-core machine: ≤ 150 ms median, ≥ 300 requests/s.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jauge_store::{SqliteStore, Store};

#[path = "shared/venue.rs"]
mod venue;
use venue::venue;

const JAUGE: &str = env!("CARGO_BIN_EXE_jauge");

/// A field of /proc/PID/status, in MiB (Linux).
fn status_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// One GET of `path`, read to its end; the status line and the body's length.
fn get(address: &str, path: &str) -> (String, usize) {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("the request is sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("the answer is read");
    let text = String::from_utf8_lossy(&answer);
    let status = text.lines().next().unwrap_or_default().to_owned();
    (status, answer.len())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and must stay quick.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let scale: f64 = std::env::var("JAUGE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benchmarking { 173.0 } else { 0.05 });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("season-page");
    std::fs::create_dir_all(&dir).expect("the bench directory");
    let db = dir.join(format!("venue-{scale}.db"));
    println!("season_page: scale {scale}");
    venue(&db, scale);

    let store = SqliteStore::open(&db).expect("the venue's store opens");
    let seasons = store.seasons().expect("seasons");
    let mut tickets = 0;
    for season in &seasons {
        let facts = store.season_facts(*season).expect("season facts");
        tickets += jauge_analytics::season_summary(&facts).tickets;
    }
    drop(store);
    println!(
        "  venue         {tickets} valid tickets (cancelled ones besides) over {} seasons, {:.0} MiB on disk",
        seasons.len(),
        std::fs::metadata(&db).map_or(0.0, |m| m.len() as f64 / 1048576.0)
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(JAUGE)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--bind", &address])
            .stdout(Stdio::null())
            .spawn()
            .expect("jauge serve starts"),
    );
    let waiting = Instant::now();
    while TcpStream::connect(&address).is_err() {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let started = Instant::now();
    let (status, bytes) = get(&address, "/saison");
    assert!(status.contains("200"), "/saison answered {status}");
    println!(
        "  first request {:.1} ms ({bytes} bytes)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // Each request after a change committed to the database: the server builds the page from
    // the store, as after an import. Then 20 more with nothing changed: pages kept.
    let mut store = SqliteStore::open(&db).expect("the venue's store opens");
    let mut timed = |change: bool| -> Vec<f64> {
        let mut times: Vec<f64> = (0..20)
            .map(|i| {
                if change {
                    store
                        .set_setting("bench.change", &i.to_string())
                        .expect("a change is committed");
                }
                let started = Instant::now();
                let (status, _) = get(&address, "/saison");
                assert!(status.contains("200"));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times
    };
    for (change, what) in [(true, "built"), (false, "kept")] {
        let times = timed(change);
        println!(
            "  /saison {what}  median {:.1} ms over 20 requests (fastest {:.1}, slowest {:.1}; goal ≤ 150)",
            (times[9] + times[10]) / 2.0,
            times[0],
            times[19]
        );
    }
    drop(store);

    let wrk = Command::new("wrk")
        .args(["-t2", "-c16", "-d10s", "--latency"])
        .arg(format!("http://{address}/saison"))
        .output();
    match wrk {
        Ok(out) if out.status.success() => {
            let report = String::from_utf8_lossy(&out.stdout);
            let field = |name: &str| {
                report
                    .lines()
                    .find(|l| l.trim_start().starts_with(name))
                    .map(|l| l.trim().to_owned())
                    .unwrap_or_default()
            };
            println!(
                "  wrk           {} (goal ≥ 300); {}; {}",
                field("Requests/sec:"),
                field("50%"),
                field("99%")
            );
            if report.contains("Non-2xx") {
                println!("  wrk           some answers were not 200:\n{report}");
            }
        }
        _ => println!("  wrk           not measured: install wrk (apt-get install wrk)"),
    }
    println!(
        "  server memory peak {:.0} MiB",
        status_mib(server.0.id(), "VmHWM:").unwrap_or(f64::NAN)
    );
}
