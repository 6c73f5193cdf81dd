//! `incubook code`: unified codes (统一编码) of applications.

use clap::Subcommand;
use incubook::CoreError;
use incubook::unified_code::UnifiedCode;

use crate::output::Output;

#[derive(Subcommand, Debug)]
pub enum CodeCommand {
    /// Checks a unified code: its parts and its check character; a wrong one is named
    Check {
        /// e.g. 310115-2026-KJ-01-00007-X
        code: String,
    },
}

pub fn run(command: &CodeCommand, out: &Output) -> Result<(), CoreError> {
    match command {
        CodeCommand::Check { code } => {
            let parsed = UnifiedCode::parse(code)?;
            let value = serde_json::json!({
                "code": parsed.to_string(),
                "valid": true,
                "division": parsed.division,
                "year": parsed.year,
                "programme": parsed.programme,
                "batch": parsed.batch,
                "serial": parsed.serial,
                "check": parsed.check().to_string(),
            });
            out.show(&value, || {
                format!(
                    "{} {parsed} ({} {}, {} {}, {} {:02}, {} {:05})",
                    out.t("编码有效：", "valid code:"),
                    out.t("年份", "year"),
                    parsed.year,
                    out.t("专项", "programme"),
                    parsed.programme,
                    out.t("批次", "batch"),
                    parsed.batch,
                    out.t("序号", "serial"),
                    parsed.serial
                )
            })
        }
    }
}
