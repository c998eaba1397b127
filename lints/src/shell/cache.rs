//! Parsed scripts kept from one check of a document to the next.
//!
//! An editor re-checks the whole file on every keystroke, but a keystroke changes at most a
//! few RUN scripts: a [`ScriptCache`] hands back the [`Script`] of every script whose text
//! and options are unchanged, and forgets the scripts a check no longer asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::{ParseOptions, Script};

/// Scripts parsed by earlier checks, keyed by their text and parse options.
///
/// Shared by reference between the checks of one document (it is `Sync`); each
/// [`ScriptCache::parse`] marks its entry as used, and [`ScriptCache::forget_unused`] drops
/// every entry not used since the previous call, so the cache holds one document's scripts
/// and no more.
#[derive(Debug, Default)]
pub struct ScriptCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Per pipefail setting, script text → (parsed script, generation of last use).
    scripts: [HashMap<String, (Arc<Script>, u64)>; 2],
    generation: u64,
    hits: u64,
    misses: u64,
}

impl ScriptCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The script for `text` parsed with `options`, from the cache or parsed now.
    pub fn parse(&self, text: &str, options: ParseOptions) -> Arc<Script> {
        let slot = usize::from(options.pipefail);
        {
            let mut inner = self.lock();
            let generation = inner.generation;
            if let Some((script, used)) = inner.scripts[slot].get_mut(text) {
                *used = generation;
                let script = Arc::clone(script);
                inner.hits += 1;
                return script;
            }
        }
        // Parse outside the lock: another thread's look-ups need not wait for it.
        let script = Arc::new(Script::parse_with(text, options));
        let mut inner = self.lock();
        let generation = inner.generation;
        inner.misses += 1;
        inner.scripts[slot].insert(text.to_owned(), (Arc::clone(&script), generation));
        script
    }

    /// Drops every script not asked for since the last call (call it after each check).
    pub fn forget_unused(&self) {
        let mut inner = self.lock();
        let generation = inner.generation;
        for scripts in &mut inner.scripts {
            scripts.retain(|_, (_, used)| *used == generation);
        }
        inner.generation += 1;
    }

    /// How many scripts are held.
    pub fn len(&self) -> usize {
        self.lock().scripts.iter().map(HashMap::len).sum()
    }

    /// Whether no script is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Look-ups answered from the cache and look-ups that parsed, since the cache was made.
    pub fn stats(&self) -> (u64, u64) {
        let inner = self.lock();
        (inner.hits, inner.misses)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_unchanged_scripts_and_forgets_unused_ones() {
        let cache = ScriptCache::new();
        let plain = ParseOptions::default();
        let first = cache.parse("apt-get update && apt-get install -y curl", plain);
        let again = cache.parse("apt-get update && apt-get install -y curl", plain);
        assert!(Arc::ptr_eq(&first, &again));
        // Options are part of the key: pipefail changes the model.
        let piped = cache.parse(
            "apt-get update && apt-get install -y curl",
            ParseOptions { pipefail: true },
        );
        assert!(!Arc::ptr_eq(&first, &piped));
        assert_eq!(cache.stats(), (1, 2));
        assert_eq!(
            *first,
            Script::parse_with("apt-get update && apt-get install -y curl", plain)
        );

        cache.forget_unused();
        // Only the pipefail variant is used in this generation.
        let _ = cache.parse(
            "apt-get update && apt-get install -y curl",
            ParseOptions { pipefail: true },
        );
        cache.forget_unused();
        assert_eq!(cache.len(), 1);
        cache.forget_unused();
        assert!(cache.is_empty());
    }
}
