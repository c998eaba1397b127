//! Latency of diagnostics after a one-character change in a 5,000-line Dockerfile: the time
//! from writing `textDocument/didChange` to reading the `publishDiagnostics` of that version,
//! through the whole server (framing guard, incremental sync, parse, rules, conversion).
//!
//! `cargo bench -p hardfile-lsp --bench latency` prints the median and the 99th percentile
//! (target: under 20 ms). `HARDFILE_LSP_BENCH_ITERATIONS` sets the number of changes
//! (default 300). Without `--bench` (as under `cargo test --benches`) it runs three changes
//! as a smoke test; `--list` lists nothing, for test runners that ask.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use hardfile_lsp::transport::{Frame, frame, read_frame};
use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream};

/// The shipped binary's allocator (cli/src/main.rs), so this measures what `hardfile lsp` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LINES: usize = 5000;
const URI: &str = "file:///bench/Dockerfile";

/// A realistic 5,000-line Dockerfile: many stages of package installs, copies, ENV/ARG,
/// multi-line RUNs, a heredoc, labels and users; findings of several rules throughout.
fn dockerfile() -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\n");
    let mut stage = 0;
    while out.lines().count() < LINES - 40 {
        let _ = write!(
            out,
            "\nFROM ${{BASE}} as stage{stage}\n\
             LABEL org.opencontainers.image.source=\"https://example.com/{stage}\"\n\
             ARG VERSION_{stage}=1.{stage}\n\
             ENV APP_HOME=/opt/app{stage} \\\n    PATH=/opt/app{stage}/bin:$PATH\n\
             WORKDIR /opt/app{stage}\n\
             RUN apt-get update && \\\n    apt-get install -y curl ca-certificates git && \\\n    rm -rf /var/lib/apt/lists/*\n\
             RUN curl -fsSL https://example.com/tool{stage}.tar.gz -o /tmp/tool.tgz && \\\n    tar -xzf /tmp/tool.tgz -C /usr/local && \\\n    rm /tmp/tool.tgz\n\
             COPY --chown=1000:1000 src/{stage}/ /opt/app{stage}/\n\
             COPY <<EOF /etc/app{stage}.conf\nname=stage{stage}\nlevel=info\nEOF\n\
             ADD app{stage}.tar.gz /opt/\n\
             RUN useradd -r -u 10{stage:03} app{stage} && chown -R app{stage} /opt/app{stage}\n\
             EXPOSE 80{stage:02}\n\
             maintainer someone{stage}@example.com\n\
             USER app{stage}\n\
             RUN echo building stage {stage} with ${{VERSION_{stage}}}\n\
             HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n\
             CMD [\"/opt/app{stage}/bin/server\", \"--port\", \"80{stage:02}\"]\n"
        );
        stage += 1;
    }
    while out.lines().count() < LINES {
        out.push_str("RUN echo padding\n");
    }
    out
}

struct Client {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
}

impl Client {
    async fn send(&mut self, message: &Value) {
        let bytes = frame(message.to_string().as_bytes());
        self.to_server
            .write_all(&bytes)
            .await
            .expect("write to server");
    }

    async fn receive(&mut self) -> Value {
        match read_frame(&mut self.from_server).await {
            Ok(Some(Frame::Body(body))) => serde_json::from_slice(&body).expect("JSON"),
            other => panic!("server stopped: {other:?}"),
        }
    }

    /// Waits for the diagnostics of `version`; returns how many there were.
    async fn diagnostics(&mut self, version: i64) -> usize {
        loop {
            let message = self.receive().await;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["version"] == version
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .map_or(0, Vec::len);
            }
        }
    }
}

/// The nearest-rank percentile `p` (1..=100) of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100);
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn run(iterations: usize) {
    let (to_server, server_input) = tokio::io::duplex(1 << 22);
    let (server_output, from_server) = tokio::io::duplex(1 << 22);
    let server = tokio::spawn(hardfile_lsp::serve(server_input, server_output));
    let mut client = Client {
        to_server,
        from_server: BufReader::new(from_server),
    };
    client
        .send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
        .await;
    let _ = client.receive().await;
    client
        .send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        .await;
    let text = dockerfile();
    let lines = text.lines().count();
    client
        .send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}}),
        )
        .await;
    let first = client.diagnostics(1).await;

    // Toggle one character in the middle of the file: insert `x`, then delete it.
    let line = text
        .lines()
        .enumerate()
        .skip(LINES / 2)
        .find(|(_, l)| l.starts_with("RUN echo building"))
        .map_or(LINES / 2, |(i, _)| i);
    let column = "RUN echo ".len();
    let mut samples = Vec::with_capacity(iterations);
    let mut count = first;
    for i in 0..iterations {
        let version = i64::try_from(i).unwrap_or(i64::MAX - 2) + 2;
        let change = if i % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 1}}, "text": ""})
        };
        let started = Instant::now();
        client
            .send(
                &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": URI, "version": version}, "contentChanges": [change]}}),
            )
            .await;
        count = client.diagnostics(version).await;
        samples.push(started.elapsed());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "lsp latency: {lines}-line Dockerfile, {} bytes, {count} diagnostics (first lint {first}), {iterations} one-character changes",
        text.len()
    );
    println!(
        "  median {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   min {:.2} ms   max {:.2} ms",
        ms(percentile(&samples, 50)),
        ms(percentile(&samples, 90)),
        ms(percentile(&samples, 99)),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
    );
    client
        .send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        .await;
    client
        .send(&json!({"jsonrpc": "2.0", "method": "exit"}))
        .await;
    let _ = server.await;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let iterations = if args.iter().any(|a| a == "--bench") {
        std::env::var("HARDFILE_LSP_BENCH_ITERATIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300)
    } else {
        3
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(iterations));
}
