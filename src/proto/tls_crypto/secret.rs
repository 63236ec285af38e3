//! [`Secret`]: key material that is wiped when dropped and never printed.
//!
//! Every secret the module holds (key log entries, derived keys, MAC keys) lives in one of these, so a `{:?}`
//! anywhere in the program shows a length, never the bytes.

use std::fmt;
use zeroize::Zeroizing;

/// Secret bytes: zeroed on drop, `Debug` shows only the length.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(Zeroizing::new(bytes))
    }

    /// The bytes, for handing to a cipher or a KDF; do not log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable bytes, for a KDF to write into.
    pub(crate) fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&[u8]> for Secret {
    fn from(bytes: &[u8]) -> Secret {
        Secret::new(bytes.to_vec())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_length_not_the_bytes() {
        let secret = Secret::from(&[0xab, 0xcd, 0xef][..]);
        assert_eq!(format!("{secret:?}"), "Secret(3 bytes)");
        assert_eq!(secret.expose(), [0xab, 0xcd, 0xef]);
    }
}
