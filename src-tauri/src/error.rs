//! Errors cross IPC as `{code, message}`: the UI decides on the code and shows the message,
//! which the core has already written in the user's language.

use incubook::CoreError;
use incubook::error::ErrorCode;
use incubook::i18n::Lang;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn from_core(e: &CoreError, lang: Lang) -> IpcError {
        IpcError { code: e.error_code(), message: e.message(lang) }
    }

    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into() }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
