//! Sessions the engine could not settle on its own (a vend whose outcome is
//! unknown after a crash: released, never captured; a capture or release
//! Vipps refused, or still failing after a while) wait here for a person.
//! `GET /healthz` lists them; `vendscreen-server operator …` lists and
//! resolves them on the machine itself, so no admin endpoint faces the network.

use super::{rows, Store, StoreError};
use crate::session::record::SessionRecord;
use time::OffsetDateTime;

impl Store {
    /// Flagged sessions nobody has resolved yet, oldest first.
    pub fn awaiting_operator(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE needs_operator = 1 AND operator_resolved_at IS NULL \
             ORDER BY seq",
            rows::COLUMNS
        );
        self.with(|c| c.prepare(&sql)?.query_map([], rows::from_row)?.collect())
    }

    /// Lists a session for a person; true when this call set the flag (it
    /// was not set already). Not a transition: the phase is unchanged.
    pub fn flag_operator(&self, reference: &str) -> Result<bool, StoreError> {
        self.write(|c| {
            let changed = c.execute(
                "UPDATE sessions SET needs_operator = 1 WHERE reference = ?1 AND needs_operator = 0",
                [reference],
            )?;
            Ok(changed == 1)
        })
    }

    /// Marks a flagged session as dealt with (the flag itself stays, as
    /// history). False when `reference` is not awaiting an operator.
    pub fn resolve_operator(
        &self,
        reference: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(|c| {
            let changed = c.execute(
                "UPDATE sessions SET operator_resolved_at = ?2 \
                 WHERE reference = ?1 AND needs_operator = 1 AND operator_resolved_at IS NULL",
                (reference, rows::rfc3339(at)),
            )?;
            Ok(changed == 1)
        })
    }
}
