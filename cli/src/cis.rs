//! CIS Docker Benchmark section 4 and how a checked Dockerfile stands against each item:
//! the data behind `hardfile report` and `hardfile audit`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use hardfile_lints::check::Report;
use hardfile_lints::config::Config;
use hardfile_lints::diagnostic::Severity;
use hardfile_lints::rules::{self, RuleMeta};
use serde::Serialize;

/// What a Dockerfile can prove about an item on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decidable {
    /// The rules decide it.
    Yes,
    /// The rules catch violations, but passing them still leaves evidence to collect.
    NeedsEvidence,
    /// A host or registry setting, not a property of the Dockerfile.
    Host,
}

/// One section-4 recommendation.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Item {
    /// `4.1` … `4.12`.
    pub id: &'static str,
    /// The recommendation's title (v1.6.0 wording).
    pub title: &'static str,
    /// What the Dockerfile alone can show.
    pub decidable: Decidable,
    /// What a reviewer still has to check when the rules pass.
    pub evidence: &'static str,
}

/// Section 4 of the CIS Docker Benchmark (4.12 exists since v1.4.0, so every version
/// hardfile knows has all twelve).
pub const ITEMS: [Item; 12] = [
    item(
        "4.1",
        "Ensure that a user for the container has been created",
        Decidable::Yes,
        "",
    ),
    item(
        "4.2",
        "Ensure that containers use only trusted base images",
        Decidable::NeedsEvidence,
        "base images come from a trusted, allow-listed source",
    ),
    item(
        "4.3",
        "Ensure that unnecessary packages are not installed in the container",
        Decidable::NeedsEvidence,
        "the package inventory of the built image is justified",
    ),
    item(
        "4.4",
        "Ensure images are scanned and rebuilt to include security patches",
        Decidable::NeedsEvidence,
        "a vulnerability scan of the built image, and a rebuild schedule",
    ),
    item(
        "4.5",
        "Ensure Content trust for Docker is Enabled",
        Decidable::Host,
        "content trust / signature verification is enabled where images are pulled",
    ),
    item(
        "4.6",
        "Ensure that HEALTHCHECK instructions have been added to container images",
        Decidable::Yes,
        "",
    ),
    item(
        "4.7",
        "Ensure update instructions are not used alone in Dockerfiles",
        Decidable::Yes,
        "",
    ),
    item(
        "4.8",
        "Ensure setuid and setgid permissions are removed",
        Decidable::NeedsEvidence,
        "no setuid/setgid files in the built image (the frontend strips them in prod)",
    ),
    item(
        "4.9",
        "Ensure that COPY is used instead of ADD in Dockerfiles",
        Decidable::Yes,
        "",
    ),
    item(
        "4.10",
        "Ensure secrets are not stored in Dockerfiles",
        Decidable::Yes,
        "",
    ),
    item(
        "4.11",
        "Ensure only verified packages are installed",
        Decidable::NeedsEvidence,
        "package sources are signed and verified",
    ),
    item(
        "4.12",
        "Ensure all signed artifacts are validated",
        Decidable::NeedsEvidence,
        "every downloaded artifact's signature or checksum is validated",
    ),
];

const fn item(
    id: &'static str,
    title: &'static str,
    decidable: Decidable,
    evidence: &'static str,
) -> Item {
    Item {
        id,
        title,
        decidable,
        evidence,
    }
}

/// The verdict for one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The rules that decide it ran and found nothing.
    Pass,
    /// A rule found a violation.
    Fail,
    /// Every violation is suppressed, with the reasons listed.
    Waived,
    /// Needs evidence a Dockerfile cannot give (or no enabled rule covers it).
    Manual,
    /// Not a property of the Dockerfile.
    NotApplicable,
}

impl Status {
    /// Lower-case label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
            Status::Manual => "manual",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// A rule's part in deciding an item.
#[derive(Clone, Debug, Serialize)]
pub struct RuleVerdict {
    /// Rule code.
    pub code: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// Whether the configuration ran it.
    pub enabled: bool,
    /// Unsuppressed findings.
    pub findings: usize,
    /// Suppressed findings.
    pub waived: usize,
}

/// A suppressed finding that turned a failure into a waiver.
#[derive(Clone, Debug, Serialize)]
pub struct Waiver {
    /// Rule code.
    pub code: &'static str,
    /// 1-based line of the finding.
    pub line: usize,
    /// The reason written with the suppression (`None`: none was given).
    pub reason: Option<String>,
}

/// A finding of a rule mapped to an item.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Rule code.
    pub code: &'static str,
    /// Effective severity; `info` findings are advice and do not fail the item.
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    /// The message.
    pub message: String,
}

/// How one Dockerfile stands against one item.
#[derive(Clone, Debug, Serialize)]
pub struct ItemVerdict {
    /// The item.
    pub item: Item,
    /// The verdict.
    pub status: Status,
    /// The rules mapped to the item in the benchmark version.
    pub rules: Vec<RuleVerdict>,
    /// Findings of its rules (those at warning or error failed it).
    pub findings: Vec<Finding>,
    /// Suppressions that waived it.
    pub waivers: Vec<Waiver>,
    /// One sentence saying why.
    pub note: String,
}

/// The rules mapped to `item` in benchmark `version`.
pub fn rules_for(item: &str, version: &str) -> Vec<&'static RuleMeta> {
    rules::registry()
        .iter()
        .copied()
        .filter(|m| m.sources.cis_items(version).contains(&item))
        .collect()
}

/// Judges every section-4 item for one checked file. `line_of` maps a byte offset to its
/// 1-based line.
pub fn judge(
    report: &Report,
    config: &Config,
    line_of: &dyn Fn(usize) -> usize,
) -> Vec<ItemVerdict> {
    let enabled: BTreeSet<&str> = rules::enabled(config)
        .iter()
        .map(|(entry, _)| entry.meta.code)
        .collect();
    ITEMS
        .iter()
        .map(|item| {
            let mapped = rules_for(item.id, &config.cis_version);
            let codes: BTreeSet<&str> = mapped.iter().map(|m| m.code).collect();
            let findings: Vec<Finding> = report
                .diagnostics
                .iter()
                .filter(|d| codes.contains(d.code))
                .map(|d| Finding {
                    code: d.code,
                    severity: d.severity,
                    line: line_of(d.span.start),
                    message: d.message.clone(),
                })
                .collect();
            let waivers: Vec<Waiver> = report
                .suppressed
                .iter()
                .filter(|(d, _)| codes.contains(d.code))
                .map(|(d, reason)| Waiver {
                    code: d.code,
                    line: line_of(d.span.start),
                    reason: reason.clone(),
                })
                .collect();
            let rules: Vec<RuleVerdict> = mapped
                .iter()
                .map(|m| RuleVerdict {
                    code: m.code,
                    name: m.name,
                    enabled: enabled.contains(m.code),
                    findings: findings.iter().filter(|f| f.code == m.code).count(),
                    waived: waivers.iter().filter(|w| w.code == m.code).count(),
                })
                .collect();
            let ran = rules.iter().filter(|r| r.enabled).count();
            let failing = findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
                .count();
            let advice = findings.len() - failing;
            let (status, mut note) = if failing > 0 {
                (Status::Fail, format!("{failing} finding(s)"))
            } else if !waivers.is_empty() {
                (
                    Status::Waived,
                    format!("{} finding(s) suppressed", waivers.len()),
                )
            } else if item.decidable == Decidable::Host {
                (
                    Status::NotApplicable,
                    format!("host setting: {}", item.evidence),
                )
            } else if ran == 0 {
                (
                    Status::Manual,
                    "no enabled rule checks this item".to_string(),
                )
            } else if item.decidable == Decidable::NeedsEvidence {
                (
                    Status::Manual,
                    format!("{ran} rule(s) passed; still to show: {}", item.evidence),
                )
            } else {
                (Status::Pass, format!("{ran} rule(s) passed"))
            };
            if advice > 0 {
                let _ = write!(note, "; {advice} info finding(s)");
            }
            ItemVerdict {
                item: *item,
                status,
                rules,
                findings,
                waivers,
                note,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_items_in_order() {
        let ids: Vec<_> = ITEMS.iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [
                "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11",
                "4.12"
            ]
        );
    }

    #[test]
    fn judges_a_clean_report() {
        let config = Config::default();
        let report = hardfile_lints::check::check_source("FROM scratch\n", &config, None);
        let verdicts = judge(&report, &config, &|_| 1);
        assert_eq!(verdicts.len(), 12);
        assert!(verdicts.iter().all(|v| v.status != Status::Waived));
    }
}
