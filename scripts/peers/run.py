#!/usr/bin/env python3
"""Timing and findings of hardfile, hadolint and Checkov over one corpus (driven by
scripts/compare-peers, which installs the tools first).

Every command runs with the corpus directory as working directory and corpus-relative
paths, so all three tools report the same file names and no peer finds a config file of
ours. Measurements run one after another (never in parallel) through hyperfine with
`--shell=none`, so process start is included and no shell is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402

CHECKOV_ENV = {
    # No network: no update check, no guideline download (each costs seconds of timeouts).
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "BC_SKIP_MAPPING": "TRUE",
    "LOG_LEVEL": "ERROR",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def loadavg() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


class Tools:
    def __init__(self, args: argparse.Namespace) -> None:
        self.hardfile = args.hardfile
        self.hadolint = args.hadolint
        self.checkov = args.checkov

    # The exact argument vectors; the docs quote them.
    def hardfile_lint(self, files: list[str]) -> list[str]:
        return [self.hardfile, "lint", "--format", "json", *files]

    def hadolint_lint(self, files: list[str]) -> list[str]:
        return [self.hadolint, "-f", "json", "--no-fail", *files]

    def checkov_lint(self, files: list[str]) -> list[str]:
        return [self.checkov, "--framework", "dockerfile", "-o", "json", "--quiet",
                "--compact", "--skip-download", "-f", *files]


def corpus_files(corpus: Path) -> list[str]:
    files = sorted(
        str(p.relative_to(corpus))
        for p in corpus.rglob("*.Dockerfile")
        if p.is_file()
    )
    return files


def hyperfine(out: Path, name: str, commands: list[tuple[str, list[str]]], *, runs: int,
              warmup: int, corpus: Path, params: tuple[str, list[str]] | None = None,
              env: dict[str, str] | None = None) -> dict:
    """Runs hyperfine; returns its JSON export (plus load averages around the run)."""
    export = out / f"time-{name}.json"
    argv = ["hyperfine", "--shell=none", "--ignore-failure", "--style", "none",
            "--runs", str(runs), "--warmup", str(warmup), "--export-json", str(export)]
    if params:
        argv += ["--parameter-list", params[0], ",".join(params[1])]
    for label, cmd in commands:
        argv += ["--command-name", label, shlex.join(cmd)]
    before = loadavg()
    started = time.monotonic()
    with open(out / f"time-{name}.log", "w") as log_file:
        # hyperfine's warnings (outliers, "command took less than 5 ms") go to the log.
        proc = subprocess.run(argv, cwd=corpus, env={**os.environ, **(env or {})},
                              stdout=subprocess.DEVNULL, stderr=log_file)
    if proc.returncode != 0:
        sys.exit(f"hyperfine failed for {name}; see {out / f'time-{name}.log'}")
    data = json.loads(export.read_text())
    data["load_before"] = before
    data["load_after"] = loadavg()
    data["elapsed"] = time.monotonic() - started
    export.write_text(json.dumps(data, indent=1))
    return data


def measure(args: argparse.Namespace, tools: Tools, files: list[str]) -> dict:
    corpus, out, runs = args.corpus, args.out, args.runs
    list0 = out / "files.0"
    list0.write_bytes(b"".join(f.encode() + b"\0" for f in files))
    rng = random.Random(args.seed)
    sample = sorted(rng.sample(files, min(args.checkov_sample, len(files))))
    (out / "checkov-sample.txt").write_text("\n".join(sample) + "\n")

    def per_process(cmd: list[str]) -> list[str]:
        # One process per file, in sequence, as an editor or a per-file CI step runs it.
        return ["xargs", "-0", "-n", "1", "-a", str(list0), *cmd]

    result: dict = {"files": len(files), "checkov_sample": len(sample), "runs": runs}
    steps = [
        ("hardfile-whole", [("hardfile", tools.hardfile_lint(files))], max(runs, 10), 3, None, None),
        ("hardfile-per-process", [("hardfile", per_process(tools.hardfile_lint([])))], max(runs // 2, 3), 1, None, None),
        ("hadolint-whole", [("hadolint", tools.hadolint_lint(files))], max(runs // 2, 3), 1, None, None),
        ("hadolint-per-process", [("hadolint", per_process(tools.hadolint_lint([])))], 3, 0, None, None),
        ("checkov-whole", [("checkov", tools.checkov_lint(files))], 3, 1, None, CHECKOV_ENV),
        ("hardfile-per-file", [("{file}", tools.hardfile_lint(["{file}"]))], 5, 1, ("file", files), None),
        ("hadolint-per-file", [("{file}", tools.hadolint_lint(["{file}"]))], 3, 1, ("file", files), None),
        ("checkov-per-file", [("{file}", tools.checkov_lint(["{file}"]))], 1, 0, ("file", sample), CHECKOV_ENV),
    ]
    for name, commands, n, warm, params, env in steps:
        log(f"-- timing {name} (runs {n}, warmup {warm}{', ' + str(len(params[1])) + ' files' if params else ''})")
        data = hyperfine(out, name, commands, runs=n, warmup=warm, corpus=corpus, params=params, env=env)
        rows = data["results"]
        if params:
            medians = [r["median"] for r in rows]
            summary = {
                "median_of_file_medians": statistics.median(medians),
                "p90": statistics.quantiles(medians, n=10)[-1] if len(medians) > 1 else medians[0],
                "files": len(medians),
                "runs_per_file": n,
            }
        else:
            r = rows[0]
            summary = {"median": r["median"], "mean": r["mean"], "min": r["min"],
                       "max": r["max"], "stddev": r.get("stddev"), "runs": len(r["times"])}
        summary["load_before"] = data["load_before"]
        summary["load_after"] = data["load_after"]
        summary["command"] = display(commands[0][1], files)
        result[name] = summary
        log(f"   {json.dumps({k: v for k, v in summary.items() if k != 'command'})}")
    result["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
    }
    return result


def display(cmd: list[str], files: list[str]) -> str:
    """The command as the docs quote it: tools by name, the file list abbreviated."""
    known = set(files)
    shown: list[str] = []
    for word in cmd:
        if word in known:
            if not shown or not shown[-1].startswith("<"):
                shown.append(f"<{len(files)} files>")
            continue
        name = Path(word).name
        shown.append(name if name in ("hardfile", "hadolint", "checkov", "files.0") else word)
    return " ".join(shown)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def findings(args: argparse.Namespace, tools: Tools, files: list[str]) -> None:
    corpus, out = args.corpus, args.out
    log("-- findings: hardfile rules")
    rules = subprocess.run([tools.hardfile, "rules", "--format", "json"], check=True,
                           capture_output=True, text=True).stdout
    (out / "rules.json").write_text(rules)
    runs = [
        # hadolint's DL3057 (HEALTHCHECK missing) is off by default, and DL3049 (label missing)
        # needs a label schema; switch both on, with the labels hardfile's HF804 requires by
        # default, so CIS 4.6 and the traceability labels have a hadolint column at all.
        ("hadolint", tools.hadolint_lint([
            "--info", "DL3057",
            "--require-label", "org.opencontainers.image.source:text",
            "--require-label", "org.opencontainers.image.revision:text",
            *files]), {}),
        ("checkov", tools.checkov_lint(files), CHECKOV_ENV),
        ("hardfile", tools.hardfile_lint(files), {}),
    ]
    for name, cmd, env in runs:
        log(f"-- findings: {name}")
        with open(out / f"{name}.json", "w") as stdout, open(out / f"{name}.stderr", "w") as stderr:
            proc = subprocess.run(cmd, cwd=corpus, stdout=stdout, stderr=stderr,
                                  env={**os.environ, **env})
        if proc.returncode not in (0, 1):
            log(f"   {name} exited {proc.returncode}; see {out / (name + '.stderr')}")
    versions = {
        "hardfile": subprocess.run([tools.hardfile, "--version"], capture_output=True, text=True).stdout.strip(),
        "hadolint": subprocess.run([tools.hadolint, "--version"], capture_output=True, text=True).stdout.strip(),
        "checkov": subprocess.run([tools.checkov, "--version"], capture_output=True, text=True,
                                  env={**os.environ, **CHECKOV_ENV}).stdout.strip(),
        "hardfile_commit": git_head(),
    }
    (out / "versions.json").write_text(json.dumps(versions, indent=1))


def git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=Path(__file__).resolve().parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True,
                               cwd=Path(__file__).resolve().parent).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--hardfile", required=True)
    p.add_argument("--hadolint", required=True)
    p.add_argument("--checkov", required=True)
    p.add_argument("--doc", type=Path)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--no-timing", action="store_true")
    p.add_argument("--no-findings", action="store_true")
    p.add_argument("--update-doc", action="store_true")
    p.add_argument("--seed", type=int, default=int(os.environ.get("PEERS_SEED", "20251203")))
    p.add_argument("--checkov-sample", type=int,
                   default=int(os.environ.get("PEERS_CHECKOV_SAMPLE", "20")))
    args = p.parse_args()
    args.corpus = args.corpus.resolve()
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    tools = Tools(args)
    files = corpus_files(args.corpus)
    log(f"corpus: {args.corpus} ({len(files)} Dockerfiles)")
    (args.out / "files.txt").write_text("\n".join(files) + "\n")
    (args.out / "meta.json").write_text(json.dumps({"corpus": str(args.corpus), "seed": args.seed}))

    if not args.no_findings:
        findings(args, tools, files)
    if not args.no_timing:
        timing = measure(args, tools, files)
        (args.out / "timing.json").write_text(json.dumps(timing, indent=1))
    report = compare.build(args.out, files, seed=args.seed)
    if args.update_doc and args.doc:
        compare.update_doc(args.doc, report)
        log(f"updated {args.doc}")
    print(report["summary_text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
