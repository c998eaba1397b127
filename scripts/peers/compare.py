#!/usr/bin/env python3
"""Compares the findings of hardfile, hadolint and Checkov (collected by run.py) for the
CIS-mapped rules, and renders the tables of docs/peer-comparison.md.

The mapping comes from hardfile itself (`hardfile rules --format json`: each rule's CIS
items and peer codes), so the comparison follows the catalogue as it grows. Everything is
per file: "flags" means at least one finding of the rule (or of one of its peer codes) in
the file. Can be run alone on an existing target/peers/: `python3 scripts/peers/compare.py`.
"""

from __future__ import annotations

import collections
import json
import random
import statistics
import re
import sys
from pathlib import Path

CIS_TITLES = {
    "4.1": "user created (not root)",
    "4.2": "trusted base images",
    "4.3": "no unnecessary packages",
    "4.4": "scanned and rebuilt (patches)",
    "4.5": "content trust",
    "4.6": "HEALTHCHECK",
    "4.7": "update not alone",
    "4.8": "setuid/setgid removed",
    "4.9": "COPY instead of ADD",
    "4.10": "no secrets in Dockerfiles",
    "4.11": "verified packages only",
    "4.12": "signed artifacts validated",
    "5.4": "capabilities restricted",
    "5.6": "sensitive host dirs",
    "5.7": "no sshd",
    "5.8": "privileged ports",
    "5.9": "only needed ports",
    "5.13": "read-only root fs",
    "5.26": "no new privileges",
    "5.27": "health checked",
    "5.28": "latest image version",
    "5.32": "docker socket",
}
SAMPLE_SIZE = 30
PEERS = ("hadolint", "checkov")


def cis_key(item: str) -> tuple[int, ...]:
    return tuple(int(x) for x in item.split("."))


def norm(path: str, known: set[str]) -> str:
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    if p not in known and p.lstrip("/") in known:
        p = p.lstrip("/")
    return p


def load_hardfile(out: Path, known: set[str]):
    doc = json.loads((out / "hardfile.json").read_text())
    hits = collections.defaultdict(lambda: collections.defaultdict(list))  # code -> file -> lines
    broken = set()
    for f in doc["files"]:
        name = norm(f["file"], known)
        for d in f["diagnostics"]:
            hits[d["code"]][name].append(d["range"]["start"]["line"])
            if d["code"] == "HF000":
                broken.add(name)
    return hits, broken, doc


def load_hadolint(out: Path, known: set[str]):
    doc = json.loads((out / "hadolint.json").read_text() or "[]")
    hits = collections.defaultdict(lambda: collections.defaultdict(list))
    broken = set()
    for d in doc:
        name = norm(d["file"], known)
        hits[d["code"]][name].append(d["line"])
        if d["code"] == "DL1000":
            broken.add(name)
    return hits, broken


def load_checkov(out: Path, known: set[str]):
    doc = json.loads((out / "checkov.json").read_text() or "{}")
    reports = doc if isinstance(doc, list) else [doc]
    hits = collections.defaultdict(lambda: collections.defaultdict(list))
    broken = set()
    for report in reports:
        if report.get("check_type") not in (None, "dockerfile"):
            continue
        results = report.get("results", {})
        for d in results.get("failed_checks", []):
            name = norm(d["file_path"], known)
            hits[d["check_id"]][name].append(d["file_line_range"][0])
        for p in results.get("parsing_errors", []) or []:
            broken.add(norm(p, known))
    return hits, broken


def build(out: Path, files: list[str] | None = None, seed: int = 20251203) -> dict:
    if files is None:
        files = (out / "files.txt").read_text().split()
    known = set(files)
    n = len(files)
    rules = json.loads((out / "rules.json").read_text())
    cis_version = rules.get("cis_version", "1.6.0")
    hf, hf_broken, hf_doc = load_hardfile(out, known)
    peer_hits = {}
    peer_broken = {}
    peer_hits["hadolint"], peer_broken["hadolint"] = load_hadolint(out, known)
    peer_hits["checkov"], peer_broken["checkov"] = load_checkov(out, known)

    def files_of(hits, codes):
        found = set()
        for c in codes:
            found |= set(hits.get(c, {}))
        return found

    def lines_of(hits, codes, file):
        return sorted({(c, line) for c in codes for line in hits.get(c, {}).get(file, [])})

    # Per CIS item.
    by_item = collections.defaultdict(list)
    for r in rules["rules"]:
        for item in r["cis"].get(cis_version, []):
            by_item[item].append(r)
    cis_rows = []
    for item in sorted(by_item, key=cis_key):
        rs = by_item[item]
        codes = {p: sorted({c for r in rs for c in r["peer_codes"].get(p, [])}) for p in PEERS}
        row = {
            "item": item,
            "title": CIS_TITLES.get(item, ""),
            "rules": [f'{r["code"]} {r["name"]}' + ("" if r.get("profile") in (None, "cis") else f' ({r["profile"]})')
                      for r in rs],
            "hardfile": len(files_of(hf, [r["code"] for r in rs])),
        }
        for p in PEERS:
            row[p + "_codes"] = codes[p]
            row[p] = len(files_of(peer_hits[p], codes[p])) if codes[p] else None
            # hardfile restricted to the rules that name a code of this peer: the like-for-like count.
            row["hardfile_vs_" + p] = len(files_of(
                hf, [r["code"] for r in rs if r["peer_codes"].get(p)])) if codes[p] else None
        cis_rows.append(row)
    covered = set(by_item)
    uncovered = [i for i in CIS_TITLES if i.startswith("4.") and i not in covered]

    # Per mapped (rule, peer) pair.
    pairs = []
    disagreements = []
    for r in rules["rules"]:
        items = r["cis"].get(cis_version, [])
        for p in PEERS:
            codes = r["peer_codes"].get(p, [])
            if not codes:
                continue
            a = set(hf.get(r["code"], {}))
            b = files_of(peer_hits[p], codes)
            pair = {
                "rule": r["code"], "name": r["name"], "cis": items, "peer": p, "codes": codes,
                "profile": r.get("profile"), "scope": r.get("scope"),
                "hardfile": len(a), "peer_files": len(b), "both": len(a & b),
                "hardfile_only": len(a - b), "peer_only": len(b - a),
                "neither": n - len(a | b),
                "hardfile_only_peer_unparsed": len((a - b) & peer_broken[p]),
            }
            pairs.append(pair)
            for side, group in (("hardfile only", a - b), (f"{p} only", b - a)):
                for f in sorted(group):
                    disagreements.append({
                        "pair": f'{r["code"]}~{p}', "rule": r["code"], "name": r["name"],
                        "cis": items, "peer": p, "codes": codes, "file": f, "side": side,
                        "hardfile_lines": [line for line in sorted(set(hf[r["code"]].get(f, [])))],
                        "peer_lines": lines_of(peer_hits[p], codes, f),
                        "peer_unparsed": f in peer_broken[p],
                        "cis_mapped": bool(items),
                    })

    # Sample: per CIS-mapped pair, shuffle with a fixed seed, then take round-robin.
    rng = random.Random(seed)
    groups = collections.OrderedDict()
    for d in disagreements:
        if d["cis_mapped"]:
            groups.setdefault(d["pair"], []).append(d)
    for key in groups:
        rng.shuffle(groups[key])
    sample = []
    while len(sample) < SAMPLE_SIZE and any(groups.values()):
        for key in list(groups):
            if groups[key] and len(sample) < SAMPLE_SIZE:
                sample.append(groups[key].pop(0))
    for i, d in enumerate(sample, 1):
        d["n"] = i

    # Peer codes that fired but no hardfile rule maps (what the mapping leaves out).
    mapped = {c for r in rules["rules"] for p in PEERS for c in r["peer_codes"].get(p, [])}
    unmapped = {}
    for p in PEERS:
        unmapped[p] = sorted(
            ((code, len(fs)) for code, fs in peer_hits[p].items()
             if code not in mapped and not code.startswith("SC")),
            key=lambda x: (-x[1], x[0]))

    timing = None
    if (out / "timing.json").exists():
        timing = json.loads((out / "timing.json").read_text())
        # CPU time (user + system, mean per run) from hyperfine's exports: less sensitive to
        # other load on the machine than wall time.
        for key, summary in timing.items():
            export = out / f"time-{key}.json"
            if isinstance(summary, dict) and export.exists():
                rows = json.loads(export.read_text())["results"]
                cpus = [r["user"] + r["system"] for r in rows]
                summary["cpu"] = statistics.median(cpus)
    versions = json.loads((out / "versions.json").read_text()) if (out / "versions.json").exists() else {}

    report = {
        "files": n, "cis_version": cis_version, "cis_rows": cis_rows, "uncovered": uncovered,
        "pairs": pairs, "sample": sample, "unmapped": unmapped, "timing": timing,
        "versions": versions, "seed": seed,
        "broken": {"hardfile": sorted(hf_broken), **{p: sorted(peer_broken[p]) for p in PEERS}},
        "disagreements": len([d for d in disagreements if d["cis_mapped"]]),
    }
    report["sections"] = {
        "versions": render_versions(report),
        "timing": render_timing(report),
        "cis": render_cis(report),
        "pairs": render_pairs(report),
        "unmapped": render_unmapped(report),
        "sample": render_sample(report),
    }
    report["summary_text"] = render_summary(report)
    (out / "report.json").write_text(json.dumps(
        {k: v for k, v in report.items() if k not in ("sections", "summary_text")}, indent=1))
    (out / "disagreements.json").write_text(json.dumps(disagreements, indent=1))
    (out / "tables.md").write_text("\n\n".join(report["sections"].values()) + "\n")
    (out / "sample-context.md").write_text(render_sample_context(report, out))
    return report


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.0f}×" if a / b >= 10 else f"{a / b:.1f}×"


def timing_numbers(t: dict) -> dict:
    g = lambda k, f="median": (t.get(k) or {}).get(f)  # noqa: E731
    return {
        "hf_whole": g("hardfile-whole"), "hl_whole": g("hadolint-whole"), "ck_whole": g("checkov-whole"),
        "hf_proc": g("hardfile-per-process"), "hl_proc": g("hadolint-per-process"),
        "hf_file": g("hardfile-per-file", "median_of_file_medians"),
        "hl_file": g("hadolint-per-file", "median_of_file_medians"),
        "ck_file": g("checkov-per-file", "median_of_file_medians"),
    }


def cpu_numbers(t: dict) -> dict:
    g = lambda k: (t.get(k) or {}).get("cpu")  # noqa: E731
    return {"hf_whole": g("hardfile-whole"), "hl_whole": g("hadolint-whole"), "ck_whole": g("checkov-whole"),
            "hf_file": g("hardfile-per-file"), "hl_file": g("hadolint-per-file"), "ck_file": g("checkov-per-file")}


def render_versions(r: dict) -> str:
    v = r["versions"]
    return (f"Run on hardfile `{v.get('hardfile_commit', '?')}` ({v.get('hardfile', '?')}), "
            f"{v.get('hadolint', 'hadolint ?')}, Checkov {v.get('checkov', '?')}; "
            f"{r['files']} Dockerfiles; CIS Docker Benchmark v{r['cis_version']} mapping.")


def render_timing(r: dict) -> str:
    t = r["timing"]
    if not t:
        return "_(no timing in this run: `scripts/compare-peers --no-timing`)_"
    x = timing_numbers(t)
    c = cpu_numbers(t)
    lines = [
        "| measurement | hardfile | hadolint | Checkov | hardfile vs hadolint | hardfile vs Checkov |",
        "|---|---:|---:|---:|---:|---:|",
        f"| whole corpus, one invocation ({t['files']} files) | {ms(x['hf_whole'])} | {ms(x['hl_whole'])} | "
        f"{ms(x['ck_whole'])} | **{ratio(x['hl_whole'], x['hf_whole'])}** | {ratio(x['ck_whole'], x['hf_whole'])} |",
        f"| whole corpus, one process per file | {ms(x['hf_proc'])} | {ms(x['hl_proc'])} | "
        f"≈ {ms((x['ck_file'] or 0) * t['files']) if x['ck_file'] else '—'} (est.) | "
        f"{ratio(x['hl_proc'], x['hf_proc'])} | {ratio((x['ck_file'] or 0) * t['files'], x['hf_proc'])} (est.) |",
        f"| per file, median over files (process start included) | {ms(x['hf_file'])} | {ms(x['hl_file'])} | "
        f"{ms(x['ck_file'])} ({t['checkov_sample']}-file sample) | **{ratio(x['hl_file'], x['hf_file'])}** | "
        f"{ratio(x['ck_file'], x['hf_file'])} |",
        f"| CPU time (user+sys), whole corpus, one invocation | {ms(c['hf_whole'])} | {ms(c['hl_whole'])} | "
        f"{ms(c['ck_whole'])} | {ratio(c['hl_whole'], c['hf_whole'])} | {ratio(c['ck_whole'], c['hf_whole'])} |",
        f"| CPU time (user+sys), per file, median over files | {ms(c['hf_file'])} | {ms(c['hl_file'])} | "
        f"{ms(c['ck_file'])} | {ratio(c['hl_file'], c['hf_file'])} | {ratio(c['ck_file'], c['hf_file'])} |",
        "",
        "Medians of hyperfine runs (`--shell=none`, so process start is in and no shell is timed). "
        f"Machine: {t['machine']['cpus']} CPUs ({t['machine']['cpu']}); 1-minute load average "
        "before/after each measurement:",
        "",
        "| measurement | runs | load before → after | command (in the corpus directory) |",
        "|---|---:|---|---|",
    ]
    for key in ("hardfile-whole", "hadolint-whole", "checkov-whole", "hardfile-per-process",
                "hadolint-per-process", "hardfile-per-file", "hadolint-per-file", "checkov-per-file"):
        s = t.get(key)
        if not s:
            continue
        runs = s.get("runs") or f'{s.get("runs_per_file")} × {s.get("files")} files'
        lines.append(f"| {key} | {runs} | {s['load_before']:.1f} → {s['load_after']:.1f} | "
                     f"`{s['command']}` |")
    return "\n".join(lines)


def render_cis(r: dict) -> str:
    n = r["files"]
    lines = [
        "| CIS | item | hardfile rules | hardfile: all rules | hadolint codes | hardfile (rules mapped to hadolint) | "
        "hadolint | Checkov codes | hardfile (rules mapped to Checkov) | Checkov |",
        "|---|---|---|---:|---|---:|---:|---|---:|---:|",
    ]
    for row in r["cis_rows"]:
        cells = []
        for p in PEERS:
            if row[p] is None:
                cells += ["—", "n/a", "n/a"]
            else:
                cells += [", ".join(row[p + "_codes"]), str(row["hardfile_vs_" + p]), str(row[p])]
        lines.append(f"| {row['item']} | {row['title']} | {'<br>'.join(row['rules'])} | {row['hardfile']} | "
                     + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Files flagged, out of {n}. \"n/a\": no hardfile rule for the item names a code of that peer. "
                 "The middle columns count only the hardfile rules that name a code of that peer, so they "
                 "compare like with like.")
    if r["uncovered"]:
        lines.append(f"CIS 4.x items with no hardfile rule in this build: {', '.join(r['uncovered'])}.")
    return "\n".join(lines)


def render_pairs(r: dict) -> str:
    n = r["files"]
    lines = [
        "| hardfile rule | CIS | peer codes | hardfile | peer | both | hardfile only | peer only | "
        "agree (of %d) |" % n,
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(r["pairs"], key=lambda p: (not p["cis"], p["rule"], p["peer"])):
        agree = p["both"] + p["neither"]
        unparsed = (f" ({p['hardfile_only_peer_unparsed']} unparsed by {p['peer']})"
                    if p["hardfile_only_peer_unparsed"] else "")
        lines.append(
            f"| {p['rule']} {p['name']} | {', '.join(p['cis']) or '—'} | {p['peer']}: {', '.join(p['codes'])} | "
            f"{p['hardfile']} | {p['peer_files']} | {p['both']} | {p['hardfile_only']}{unparsed} | "
            f"{p['peer_only']} | {agree} ({100 * agree / n:.0f}%) |")
    b = r["broken"]
    lines.append("")
    lines.append(
        f"Files a tool could not parse: hadolint {len(b['hadolint'])} (DL1000; it then reports nothing else "
        f"for the file), Checkov {len(b['checkov'])} (parsing_errors), hardfile {len(b['hardfile'])} (HF000).")
    return "\n".join(lines)


def render_unmapped(r: dict) -> str:
    lines = ["| peer | codes that fired but no hardfile rule names (files) |", "|---|---|"]
    for p in PEERS:
        lines.append(f"| {p} | " + ", ".join(f"{c} ({k})" for c, k in r["unmapped"][p]) + " |")
    return "\n".join(lines)


def fmt_peer_lines(d: dict) -> str:
    if d["peer_unparsed"]:
        return "parse error (DL1000)" if d["peer"] == "hadolint" else "parse error"
    if not d["peer_lines"]:
        return "—"
    return ", ".join(f"{c}@{line}" for c, line in d["peer_lines"])


def render_sample(r: dict) -> str:
    lines = [
        f"Sample of {len(r['sample'])} out of {r['disagreements']} file-level disagreements "
        f"(seed {r['seed']}; shuffled per rule pair, then taken round-robin across pairs).",
        "",
        "| # | pair | file | who flags | hardfile lines | peer findings |",
        "|---:|---|---|---|---|---|",
    ]
    for d in r["sample"]:
        hl = ", ".join(str(x) for x in d["hardfile_lines"]) or "—"
        lines.append(f"| {d['n']} | {d['rule']} {d['name']} ~ {d['peer']} {'/'.join(d['codes'])} | "
                     f"`{d['file']}` | {d['side']} | {hl} | {fmt_peer_lines(d)} |")
    return "\n".join(lines)


def render_sample_context(r: dict, out: Path) -> str:
    """Helper for the person judging: each sampled disagreement with the lines involved."""
    corpus = None
    try:
        corpus = Path(json.loads((out / "meta.json").read_text())["corpus"])
    except (OSError, KeyError, ValueError):
        pass
    parts = []
    for d in r["sample"]:
        parts.append(f"## {d['n']}. {d['rule']} {d['name']} ~ {d['peer']} ({d['side']})\n`{d['file']}`\n")
        parts.append(f"hardfile lines: {d['hardfile_lines']}; peer: {fmt_peer_lines(d)}\n")
        path = (corpus / d["file"]) if corpus else None
        if path and path.exists():
            text = path.read_text(errors="replace").splitlines()
            wanted = set(d["hardfile_lines"]) | {line for _, line in d["peer_lines"]}
            near = {i for w in wanted for i in range(w - 3, w + 4)}
            for i, line in enumerate(text, 1):
                if re.match(r"\s*(FROM|USER|HEALTHCHECK)\b", line, re.I) or i in near:
                    mark = ">>" if i in wanted else "  "
                    parts.append(f"    {mark}{i:4}: {line}")
        parts.append("")
    return "\n".join(parts)


def render_summary(r: dict) -> str:
    out = []
    t = r["timing"]
    if t:
        x = timing_numbers(t)
        def check(a, b, target):
            if not a or not b:
                return "n/a"
            v = a / b
            return f"{v:.1f}x ({'meets' if v >= target else 'BELOW'} the {target}x target)"
        out.append("== speed (medians)")
        out.append(f"whole corpus, one invocation: hardfile {ms(x['hf_whole'])}, hadolint {ms(x['hl_whole'])}, "
                   f"checkov {ms(x['ck_whole'])}")
        out.append(f"whole corpus, one process per file: hardfile {ms(x['hf_proc'])}, hadolint {ms(x['hl_proc'])}")
        out.append(f"per file (median): hardfile {ms(x['hf_file'])}, hadolint {ms(x['hl_file'])}, "
                   f"checkov {ms(x['ck_file'])}")
        out.append(f"hardfile vs hadolint, whole corpus:   {check(x['hl_whole'], x['hf_whole'], 100)}")
        out.append(f"hardfile vs hadolint, per process:    {check(x['hl_proc'], x['hf_proc'], 10)}")
        out.append(f"hardfile vs hadolint, per file:       {check(x['hl_file'], x['hf_file'], 10)}")
        out.append(f"hardfile vs checkov, whole corpus:    {check(x['ck_whole'], x['hf_whole'], 100)}")
        out.append(f"hardfile vs checkov, per file:        {check(x['ck_file'], x['hf_file'], 10)}")
        c = cpu_numbers(t)
        out.append(f"CPU time (user+sys) vs hadolint: whole corpus {check(c['hl_whole'], c['hf_whole'], 100)}, "
                   f"per file {check(c['hl_file'], c['hf_file'], 10)}")
        out.append(f"1-minute load average during the runs: "
                   f"{min(v['load_before'] for v in t.values() if isinstance(v, dict) and 'load_before' in v):.1f}"
                   f"–{max(v['load_after'] for v in t.values() if isinstance(v, dict) and 'load_after' in v):.1f} "
                   f"on {t['machine']['cpus']} CPUs")
    out.append("== findings (files flagged; hardfile: all rules of the item, then only rules mapped to each peer)")
    for row in r["cis_rows"]:
        h = "-" if row["hadolint"] is None else row["hadolint"]
        c = "-" if row["checkov"] is None else row["checkov"]
        hh = "-" if row["hardfile_vs_hadolint"] is None else row["hardfile_vs_hadolint"]
        hc = "-" if row["hardfile_vs_checkov"] is None else row["hardfile_vs_checkov"]
        out.append(f"CIS {row['item']:5} {row['hardfile']:4}   mapped: {hh!s:>4} vs hadolint {h!s:>4}, "
                   f"{hc!s:>4} vs checkov {c!s:>4}   {row['title']}")
    out.append(f"{r['disagreements']} file-level disagreements on CIS-mapped pairs; "
               f"sample of {len(r['sample'])} in target/peers/tables.md and sample-context.md")
    return "\n".join(out)


def update_doc(doc: Path, report: dict) -> None:
    """Replaces each `<!-- generated:NAME -->…<!-- /generated:NAME -->` block."""
    text = doc.read_text()
    for name, body in report["sections"].items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        text, count = pattern.subn(lambda m: m.group(1) + body + "\n" + m.group(2), text)
        if not count:
            print(f"compare: no generated:{name} block in {doc}", file=sys.stderr)
    doc.write_text(text)


if __name__ == "__main__":
    positional = [a for a in sys.argv[1:] if not a.startswith("--")]
    out_dir = Path(positional[0]) if positional else Path(__file__).resolve().parents[2] / "target" / "peers"
    rep = build(out_dir)
    if "--update-doc" in sys.argv:
        update_doc(Path(__file__).resolve().parents[2] / "docs" / "peer-comparison.md", rep)
    print(rep["summary_text"])
